package dangan.rights;

import dangan.archive.ArchiveLock;
import dangan.i18n.Localized;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.QueryParams;
import dangan.archive.ChangeLog;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.normalise.ResidentId;
import dangan.privacy.SensitiveFields;
import dangan.rules.RuleException;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Corrections refused because the new mobile, email or ID number is already another archive's (D-15;
 * issue 10): the correction's answer does not say which archive holds it; the conflict is recorded here for a
 * manager, who lists them ({@code GET /api/correction-conflicts}) and decides each one
 * ({@code POST /api/correction-conflicts/{id}/resolve} {@code {"decision": "merge|confirm|dismiss", "note": …}}):
 * <ul>
 *   <li>{@code confirm}: the correction is right and the other archive's value is wrong: the value is removed from
 *       the other archive and the correction made, both in the change register, in one transaction (refused when the
 *       other archive would keep no mobile, email or ID number: then the two are one customer — merge);</li>
 *   <li>{@code merge}: the two archives are one customer: the merge is asked for (status {@code merge-requested},
 *       listed for whoever merges archives; Dangan does not merge two archives itself);</li>
 *   <li>{@code dismiss}: the correction was wrong; nothing changes.</li>
 * </ul>
 * Recording, listing and every decision are audited; the proposed value is sealed under the corrected customer's
 * key and shown masked when it is an ID number.
 */
public final class CorrectionConflicts {

    /** A conflict as the API shows it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Conflict(long id, String archiveNo, String otherArchiveNo, String field, String value, Long requestId,
                           String reason, String raisedBy, String raisedRole, OffsetDateTime raisedAt, String status,
                           String resolvedBy, OffsetDateTime resolvedAt, String note) {
    }

    static final Map<String, String> DECISIONS = Map.of("merge", "merge-requested", "confirm", "confirmed", "dismiss", "dismissed");
    static final int MAX_NOTE = 500;
    private static final String COLUMNS = """
            id, archive_no, other_archive_no, field, value_shown, request_id, reason, raised_by, raised_role, raised_at,
            status, resolved_by, resolved_at, note""";

    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final AuditTrail audit;

    public CorrectionConflicts(DataSource dataSource, SensitiveFields sensitive, AuditTrail audit) {
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
        this.audit = audit;
    }

    /**
     * Records a refused correction as an open conflict (or finds the open one of the same correction), with its
     * audit entry, committed on its own: the correction itself rolled back. Returns the conflict's number.
     */
    long record(Caller caller, String archiveNo, String otherArchiveNo, String field, String value, Long requestId, String reason) {
        String shown = field.equals("id_number") ? ResidentId.parse(value).masked() : value;
        return jdbi.inTransaction(h -> {
            Long open = h.createQuery("""
                            select id from correction_conflict where archive_no = :archive and other_archive_no = :other
                              and field = :field and value_shown = :shown and status = 'open'""")
                    .bind("archive", archiveNo).bind("other", otherArchiveNo).bind("field", field).bind("shown", shown)
                    .mapTo(Long.class).findOne().orElse(null);
            if (open != null) return open;
            long customerId = h.createQuery("select id from customer where archive_no = :archive").bind("archive", archiveNo)
                    .mapTo(Long.class).one();
            long id = h.createQuery("""
                            insert into correction_conflict (archive_no, other_archive_no, field, value_enc, value_shown, request_id,
                                                             reason, raised_by, raised_role)
                            values (:archive, :other, :field, :sealed, :shown, :request, :reason, :by, :role) returning id""")
                    .bind("archive", archiveNo).bind("other", otherArchiveNo).bind("field", field)
                    .bind("sealed", sensitive.encryptFor(h, customerId, value)).bind("shown", shown)
                    .bind("request", requestId).bind("reason", reason).bind("by", caller.name()).bind("role", caller.role().label())
                    .mapTo(Long.class).one();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "change", archiveNo, List.of(category(field)),
                    Corrections.purpose(audit.messages(), requestId), null, AuditEntry.DENIED,
                    Localized.of("audit.correction.conflict", "field", dangan.audit.AuditText.field(field), "other", otherArchiveNo, "id", id)));
            return id;
        });
    }

    /** {@code GET /api/correction-conflicts?status=open|merge-requested|confirmed|dismissed|all&limit=} (manager): oldest first. */
    public void list(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        QueryParams q = QueryParams.of(exchange);
        String status = q.oneOf("status", Set.of("open", "merge-requested", "confirmed", "dismissed", "all"), "open");
        long limit = q.whole("limit", 500, 1, 5000);
        List<Conflict> conflicts = jdbi.inTransaction(h -> {
            List<Conflict> found = h.createQuery("select " + COLUMNS + " from correction_conflict"
                            + " where (:status = 'all' or status = :status) order by raised_at, id limit :limit")
                    .bind("status", status).bind("limit", limit).map(CorrectionConflicts::conflict).list();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of("basic"), null, null,
                    AuditEntry.OK, Localized.of("audit.correction.conflicts", "status", status, "count", found.size())));
            return found;
        });
        exchange.getMessage().setBody(Map.of("conflicts", conflicts));
    }

    /** {@code POST /api/correction-conflicts/{id}/resolve} {@code {"decision": "merge|confirm|dismiss", "note": "…"}} (manager). */
    public void resolve(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        long id = dangan.access.Request.id(exchange, "id");
        JsonNode body = Api.readJson(exchange);
        String decision = Api.optionalText(body, "decision");
        if (!DECISIONS.containsKey(decision)) throw ApiProblem.localized(400, "api.conflict.decision", "value", decision);
        String note = Api.optionalText(body, "note");
        if (note.length() > MAX_NOTE) {
            throw ApiProblem.localized(400, "api.field.too-long", "field", "note", "max", String.valueOf(MAX_NOTE));
        }
        Conflict resolved = jdbi.inTransaction(h -> {
            ArchiveLock.hold(h); // a merge or a confirmation writes the archives: never between a merge's read and its update
            Conflict c = h.createQuery("select " + COLUMNS + " from correction_conflict where id = :id for update")
                    .bind("id", id).map(CorrectionConflicts::conflict).findOne()
                    .orElseThrow(() -> RuleException.notFound("refusal.conflict.none", "id", String.valueOf(id)));
            if (!"open".equals(c.status())) {
                throw RuleException.conflict("refusal.conflict.closed", "id", String.valueOf(id), "status", c.status());
            }
            String source = audit.messages().text("records.source.conflict", "id", id);
            String why = note.isEmpty() ? audit.messages().text("audit.change.conflict", "id", id) : note;
            if (decision.equals("confirm")) confirm(h, caller.name(), c, source, why);
            h.createUpdate("""
                            update correction_conflict set status = :status, resolved_by = :by, resolved_at = now(), note = :note
                            where id = :id""")
                    .bind("status", DECISIONS.get(decision)).bind("by", caller.name()).bind("note", note.isEmpty() ? null : note)
                    .bind("id", id).execute();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "resolve", c.archiveNo(), List.of(category(c.field())),
                    audit.messages().text("audit.purpose.conflict", "id", id), null, AuditEntry.OK, Localized.of("audit.correction.resolved", "id", id, "field", dangan.audit.AuditText.field(c.field()),
                    "other", c.otherArchiveNo(), "archive", c.archiveNo(), "decision", decision)));
            return h.createQuery("select " + COLUMNS + " from correction_conflict where id = :id").bind("id", id)
                    .map(CorrectionConflicts::conflict).one();
        });
        exchange.getMessage().setBody(resolved);
    }

    /**
     * The correction was right: the value leaves the other archive (when it still holds it) and the corrected one
     * takes it, both in the change register; the correction request, if still open, is closed as done.
     */
    private void confirm(Handle h, String by, Conflict c, String source, String why) {
        List<Holder> both = h.createQuery("""
                        select id, archive_no, sealed_at is not null or status = 'sealed' as sealed, mobile, email, id_number_masked,
                               id_number_hash
                          from customer where archive_no in (:archive, :other) order by id for update""")
                .bind("archive", c.archiveNo()).bind("other", c.otherArchiveNo())
                .map((rs, ctx) -> new Holder(rs.getLong("id"), rs.getString("archive_no"), rs.getBoolean("sealed"), rs.getString("mobile"),
                        rs.getString("email"), rs.getString("id_number_masked"), rs.getBytes("id_number_hash")))
                .list();
        Holder self = both.stream().filter(x -> x.archiveNo().equals(c.archiveNo())).findFirst()
                .orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", c.archiveNo()));
        Holder other = both.stream().filter(x -> x.archiveNo().equals(c.otherArchiveNo())).findFirst().orElse(null);
        for (Holder x : both) {
            if (x.sealed()) throw RuleException.conflict("refusal.correction.sealed", "archive", x.archiveNo());
        }
        String value = sensitive.decrypt(h, h.createQuery("select value_enc from correction_conflict where id = :id")
                .bind("id", c.id()).mapTo(byte[].class).one());
        List<ChangeLog.Change> changes = new ArrayList<>();
        if (other != null && holds(other, c.field(), value)) {
            boolean keepsOne = (!c.field().equals("mobile") && other.mobile() != null) || (!c.field().equals("email") && other.email() != null)
                    || (!c.field().equals("id_number") && other.idMasked() != null);
            if (!keepsOne) throw RuleException.conflict("refusal.conflict.last-identifier", "archive", other.archiveNo(), "id", String.valueOf(c.id()));
            String column = switch (c.field()) {
                case "mobile" -> "mobile = null";
                case "email" -> "email = null";
                default -> "id_number_hash = null, id_number_enc = null, id_number_masked = null";
            };
            // column is one of the three above, never text from the request
            h.createUpdate("update customer set " + column + ", updated_at = now() where id = :id").bind("id", other.id()).execute();
            changes.add(ChangeLog.Change.of(other.id(), c.field(), shown(other, c.field()), null, by, why).from(source));
        }
        String before = shown(self, c.field());
        Corrections.write(h, sensitive, self.id(), c.field(), value);
        h.createUpdate("update customer set updated_at = now() where id = :id").bind("id", self.id()).execute();
        changes.add(ChangeLog.Change.of(self.id(), c.field(), before, c.value(), by, why).from(source));
        ChangeLog.write(h, changes);
        if (c.requestId() != null) {
            h.createUpdate("""
                            update subject_request set status = 'done', closed_at = now(), closed_by = :by, outcome = :outcome
                            where id = :id and status = 'open'""")
                    .bind("by", by).bind("outcome", audit.messages().text("records.outcome.conflict-confirmed",
                            "field", dangan.audit.AuditText.field(c.field()), "id", c.id()))
                    .bind("id", c.requestId()).execute();
        }
    }

    /** One of the two archives of a conflict, as found when it is confirmed. */
    private record Holder(long id, String archiveNo, boolean sealed, String mobile, String email, String idMasked, byte[] idHash) {
    }

    private boolean holds(Holder other, String field, String value) {
        return switch (field) {
            case "mobile" -> value.equals(other.mobile());
            case "email" -> value.equals(other.email());
            default -> other.idHash() != null && java.util.Arrays.equals(other.idHash(), sensitive.blindIndex(value));
        };
    }

    /** The value as the change register shows it (an ID number masked). */
    private static String shown(Holder holder, String field) {
        return switch (field) {
            case "mobile" -> holder.mobile();
            case "email" -> holder.email();
            default -> holder.idMasked();
        };
    }

    private static String category(String field) {
        return field.equals("id_number") ? "identity" : "basic";
    }

    private static Conflict conflict(ResultSet rs, StatementContext ctx) throws SQLException {
        Long request = rs.getObject("request_id", Long.class);
        return new Conflict(rs.getLong("id"), rs.getString("archive_no"), rs.getString("other_archive_no"), rs.getString("field"),
                rs.getString("value_shown"), request, rs.getString("reason"), rs.getString("raised_by"),
                rs.getString("raised_role"), rs.getObject("raised_at", OffsetDateTime.class), rs.getString("status"),
                rs.getString("resolved_by"), rs.getObject("resolved_at", OffsetDateTime.class), rs.getString("note"));
    }
}
