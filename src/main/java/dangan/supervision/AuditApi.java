package dangan.supervision;

import dangan.i18n.Localized;

import dangan.access.QueryParams;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.audit.AuditCheckpoints;
import dangan.audit.AuditVerification;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dangan.access.Caller;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.store.Db;
import org.apache.camel.Exchange;

import java.time.ZoneOffset;
import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The bean {@code auditLog}: the audit trail over the API (D-26). {@code GET /api/audit} lists
 * entries oldest first, filtered and paged by id ({@code after_id}); {@code GET /api/audit/verify}
 * walks the hash chain and names the first broken entry. Auditors and managers read the log; only
 * auditors verify it. Neither shows archive contents: an entry says who, what, which archive.
 */
public final class AuditApi {

    /** One entry as the API shows it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Entry(long id, OffsetDateTime at, String actor, String role, String action, String archiveNo,
                        List<String> categories, String purpose, Long grantId, String outcome, String detail) {
    }

    /** A page of entries; {@code nextAfterId} is the {@code after_id} of the next page, null on the last one. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Page(List<Entry> entries, Long nextAfterId) {
    }

    /** The answer of {@code /api/audit/verify}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Verdict(boolean intact, long entries, Long brokenAt, String broken) {
    }

    private final DataSource dataSource;
    private final ZoneId zone;

    private final AuditTrail audit;

    private final AuditCheckpoints checkpoints;
    private final Language language;

    public AuditApi(DataSource dataSource, ZoneId zone, AuditTrail audit, AuditCheckpoints checkpoints, Language language) {
        this.language = language;
        this.checkpoints = checkpoints;
        this.dataSource = dataSource;
        this.zone = zone;
        this.audit = audit;
    }

    public void list(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        QueryParams q = QueryParams.of(exchange);
        String archiveNo = q.text("archive_no");
        String actor = q.text("actor");
        String outcome = q.oneOf("outcome", Set.of(AuditEntry.OK, AuditEntry.DENIED, AuditEntry.ERROR), null);
        String action = q.text("action");
        Instant from = q.instant("from", zone, false);
        Instant to = q.instant("to", zone, true);
        long limit = q.whole("limit", 100, 1, 1000);
        long afterId = q.whole("after_id", 0, 0, Long.MAX_VALUE);
        Page page = page(archiveNo, actor, outcome, action, from, to, (int) limit, afterId);
        // the log names who looked at which archive: reading it is itself recorded (D-26)
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read-audit", archiveNo, List.of(), null, null,
                AuditEntry.OK, Localized.of("audit.log.read", "count", page.entries().size(), "after", afterId,
                        "hasActor", actor == null ? "no" : "yes", "actor", actor == null ? "" : actor,
                        "hasOutcome", outcome == null ? "no" : "yes", "outcome", outcome == null ? "" : outcome,
                        "hasAction", action == null ? "no" : "yes", "action", action == null ? "" : action)));
        exchange.getMessage().setBody(page);
    }

    public Page page(String archiveNo, String actor, String outcome, String action, Instant from, Instant to, int limit,
                     long afterId) throws SQLException {
        List<Entry> entries = new ArrayList<>(Db.jdbi(dataSource).withHandle(h -> h.createQuery("""
                        select id, at, actor, role, action, archive_no, categories, purpose, grant_id, outcome, detail
                          from audit_log
                         where id > :after
                           and (:archiveNo::text is null or archive_no = :archiveNo)
                           and (:actor::text is null or actor = :actor)
                           and (:outcome::text is null or outcome = :outcome)
                           and (:action::text is null or action = :action)
                           and (:from::timestamptz is null or at >= :from)
                           and (:to::timestamptz is null or at < :to)
                         order by id
                         limit :limit""")
                .bind("after", afterId).bind("archiveNo", archiveNo).bind("actor", actor).bind("outcome", outcome)
                .bind("action", action)
                .bind("from", from == null ? null : from.atOffset(ZoneOffset.UTC))
                .bind("to", to == null ? null : to.atOffset(ZoneOffset.UTC))
                .bind("limit", limit + 1)
                .map((rs, ctx) -> {
                    String categories = rs.getString("categories");
                    return new Entry(rs.getLong("id"), rs.getObject("at", OffsetDateTime.class), rs.getString("actor"),
                            rs.getString("role"), rs.getString("action"), rs.getString("archive_no"),
                            categories == null ? List.of() : Arrays.asList(categories.split(",")),
                            rs.getString("purpose"), (Long) rs.getObject("grant_id"), rs.getString("outcome"),
                            rs.getString("detail"));
                })
                .list()));
        Long next = null;
        if (entries.size() > limit) {
            entries = entries.subList(0, limit);
            next = entries.get(limit - 1).id();
        }
        return new Page(List.copyOf(entries), next);
    }

    public void verify(Exchange exchange) throws SQLException {
        AuditVerification.Result r = audit.verify(checkpoints);
        // why it is broken, in the request's language (Accept-Language), else the service's
        Messages said = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class), language);
        exchange.getMessage().setBody(new Verdict(r.intact(), r.entries(), r.brokenAt(), r.intact() ? null : r.why().in(said)));
    }

}
