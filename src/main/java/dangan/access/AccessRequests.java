package dangan.access;

import dangan.i18n.Localized;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.archive.ArchiveReader;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.notify.Outbox;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Access requests and grants (D-25), bean {@code accessRequests}: a member of staff who reads
 * archives asks for a scope (archives, categories), a purpose and a number of days; a manager other
 * than the requester approves (a grant valid from now for those days) or rejects with a reason; the
 * holder may return a grant early; a grant past its end widens nothing (no job: expiry is by time).
 * Every request, decision and return is audited in the transaction that makes it.
 */
public final class AccessRequests {

    /** A grant that widens its holder's view of one archive right now. */
    public record LiveGrant(long id, Set<Category> categories) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GrantView(long id, List<String> archiveNos, List<Category> categories, OffsetDateTime validFrom,
                            OffsetDateTime validUntil, OffsetDateTime returnedAt, String approvedBy, boolean live) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RequestView(long id, String requester, String requesterRole, List<String> archiveNos, List<Category> categories,
                              String purpose, int days, String status, OffsetDateTime requestedAt, String decidedBy,
                              OffsetDateTime decidedAt, String reason, GrantView grant) {
    }

    /** The grants of {@code :holder} that cover the archive {@code :archiveNo} now. */
    static final String LIVE = """
            select id, categories from access_grant
             where holder_id = :holder and :archiveNo = any (archive_nos) and returned_at is null
               and valid_from <= now() and valid_until > now()
             order by id""";

    private static final String SELECT_REQUESTS = """
            select r.id, r.requester, r.requester_role, r.archive_nos, r.categories, r.purpose, r.days, r.status,
                   r.requested_at, r.decided_by, r.decided_at, r.reason,
                   g.id as grant_id, g.archive_nos as grant_archive_nos, g.categories as grant_categories, g.valid_from,
                   g.valid_until, g.returned_at, g.approved_by,
                   (g.returned_at is null and g.valid_from <= now() and g.valid_until > now()) as live
              from access_request r left join access_grant g on g.request_id = r.id
            """;

    private static final int MAX_ARCHIVES = 100;
    private static final int MAX_PURPOSE = 500;
    private static final int MAX_REASON = 500;

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final ArchiveReader reader;
    private final int maxDays;

    public AccessRequests(DataSource dataSource, AuditTrail audit, ArchiveReader reader, int maxDays) {
        if (maxDays < 1) throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", "dangan.access.max-grant-days", "value", String.valueOf(maxDays));
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.reader = reader;
        this.maxDays = maxDays;
    }

    /** The holder's grants that cover this archive now. */
    public List<LiveGrant> live(Handle h, long holderId, String archiveNo) {
        return h.createQuery(LIVE).bind("holder", holderId).bind("archiveNo", archiveNo)
                .map((rs, ctx) -> {
                    Set<Category> categories = EnumSet.noneOf(Category.class);
                    for (String label : strings(rs.getArray("categories"))) categories.add(Category.of(label));
                    return new LiveGrant(rs.getLong("id"), categories);
                })
                .list();
    }

    /** {@code POST /api/access-requests} {archive_nos, categories, purpose, days}: 201 with the request. */
    public void create(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        JsonNode body = Api.readJson(exchange);
        List<String> archiveNos = new ArrayList<>();
        for (String value : textArray(body, "archive_nos")) {
            String archiveNo = Request.archiveNo(value);
            if (!archiveNos.contains(archiveNo)) archiveNos.add(archiveNo);
        }
        if (archiveNos.size() > MAX_ARCHIVES) {
            throw ApiProblem.localized(400, "api.access.too-many", "max", MAX_ARCHIVES, "count", archiveNos.size());
        }
        List<Category> categories = Request.categories(textArray(body, "categories"));
        if (categories.isEmpty()) throw ApiProblem.localized(400, "api.access.no-category", "categories", String.valueOf(Category.labels()));
        String purpose = Api.optionalText(body, "purpose");
        if (purpose.isEmpty()) {
            throw ApiProblem.localized(400, "api.access.no-purpose");
        }
        if (purpose.length() > MAX_PURPOSE) throw ApiProblem.localized(400, "api.field.too-long", "field", "purpose", "max", String.valueOf(MAX_PURPOSE));
        JsonNode daysNode = body.path("days");
        if (!daysNode.canConvertToInt() || !daysNode.isIntegralNumber() || daysNode.asInt() < 1 || daysNode.asInt() > maxDays) {
            throw ApiProblem.localized(400, "api.access.days", "max", String.valueOf(maxDays),
                    "value", daysNode.isMissingNode() ? "" : daysNode.toString());
        }
        int days = daysNode.asInt();
        long created = jdbi.inTransaction(h -> {
            for (String archiveNo : archiveNos) {
                ArchiveReader.Head head = reader.head(h, archiveNo).orElse(null);
                if (head == null || (head.sealed() && !ArchiveApi.seesSealed(caller))) {
                    throw ArchiveApi.noSuchArchive(archiveNo);
                }
            }
            long id = h.createUpdate("""
                            insert into access_request (requester_id, requester, requester_role, archive_nos, categories, purpose, days)
                            values (:requesterId, :requester, :role, :archiveNos, :categories, :purpose, :days)""")
                    .bind("requesterId", caller.userId()).bind("requester", caller.name()).bind("role", caller.role().label())
                    .bindArray("archiveNos", String.class, archiveNos).bindArray("categories", String.class, labels(categories))
                    .bind("purpose", purpose).bind("days", days)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "access-request", single(archiveNos),
                    labels(categories), purpose, null, AuditEntry.OK,
                    Localized.of("audit.access.request", "id", id, "days", days, "archives", String.join(", ", archiveNos))));
            // the managers hear of it (D-25): an outbox event in this transaction — who, which categories, how many
            // archives and days; not the purpose's free text nor the archive numbers
            ObjectNode payload = Api.JSON.createObjectNode().put("request_id", id).put("requester", caller.name())
                    .put("requester_role", caller.role().label()).put("archives", archiveNos.size()).put("days", days);
            labels(categories).forEach(payload.putArray("categories")::add);
            Outbox.record(h, "access_requested", null, payload.toString());
            return id;
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setBody(find(created));
    }

    /** {@code GET /api/access-requests}: the caller's own requests (newest first); a manager also sees every pending one. */
    public void list(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String where = caller.is(Role.MANAGER) ? "where r.requester_id = :me or r.status = 'pending'" : "where r.requester_id = :me";
        List<RequestView> requests = jdbi.withHandle(h -> h.createQuery(SELECT_REQUESTS + where + " order by r.id desc limit 1000")
                .bind("me", caller.userId()).map(AccessRequests::view).list());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requests", requests);
        exchange.getMessage().setBody(body);
    }

    /** {@code POST /api/access-requests/{id}/approve} {reason?}: a manager other than the requester; a grant from now. */
    public void approve(Exchange exchange) {
        decide(exchange, true);
    }

    /** {@code POST /api/access-requests/{id}/reject} {reason}: a manager other than the requester; the reason is required. */
    public void reject(Exchange exchange) {
        decide(exchange, false);
    }

    private void decide(Exchange exchange, boolean approve) {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        String reason = Api.optionalText(Api.readOptionalJson(exchange), "reason");
        if (!approve && reason.isEmpty()) {
            throw ApiProblem.localized(400, "api.access.reason-needed");
        }
        if (reason.length() > MAX_REASON) throw ApiProblem.localized(400, "api.field.too-long", "field", "reason", "max", String.valueOf(MAX_REASON));
        jdbi.useTransaction(h -> {
            record Asked(long requesterId, String requester, String status, List<String> archiveNos, List<String> categories,
                         String purpose, int days) {
            }
            Asked asked = h.createQuery("""
                            select requester_id, requester, status, archive_nos, categories, purpose, days
                              from access_request where id = :id for update""")
                    .bind("id", id)
                    .map((rs, ctx) -> new Asked(rs.getLong("requester_id"), rs.getString("requester"), rs.getString("status"),
                            strings(rs.getArray("archive_nos")), strings(rs.getArray("categories")), rs.getString("purpose"),
                            rs.getInt("days")))
                    .findOne().orElseThrow(() -> ApiProblem.localized(404, "api.access.no-request", "id", String.valueOf(id)));
            List<String> scope = asked.categories();
            String first = asked.archiveNos().size() == 1 ? asked.archiveNos().get(0) : null;
            if (asked.requesterId() == caller.userId()) {
                throw ApiProblem.forbiddenFor(first, scope, "api.access.own", "id", String.valueOf(id));
            }
            if (!asked.status().equals("pending")) throw ApiProblem.localized(409, "api.access.decided", "id", String.valueOf(id), "status", asked.status());
            h.createUpdate("update access_request set status = :status, decided_by = :by, decided_at = now(), reason = :reason where id = :id")
                    .bind("status", approve ? "approved" : "rejected").bind("by", caller.name())
                    .bind("reason", reason.isEmpty() ? null : reason).bind("id", id)
                    .execute();
            Long grantId = null;
            if (approve) {
                grantId = h.createUpdate("""
                                insert into access_grant (request_id, holder_id, holder, archive_nos, categories, purpose,
                                                          valid_from, valid_until, approved_by)
                                select id, requester_id, requester, archive_nos, categories, purpose, now(),
                                       now() + make_interval(days => days), :by
                                  from access_request where id = :id""")
                        .bind("by", caller.name()).bind("id", id)
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            }
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), approve ? "approve" : "reject", first, scope,
                    asked.purpose(), grantId, AuditEntry.OK, Localized.of("audit.access.decided", "id", id, "requester", asked.requester(),
                    "approve", approve ? "yes" : "no", "grant", grantId == null ? "" : grantId, "days", asked.days(),
                    "archives", String.join(", ", asked.archiveNos()), "hasReason", reason.isEmpty() ? "no" : "yes", "reason", reason)));
        });
        exchange.getMessage().setBody(find(id));
    }

    /** {@code POST /api/access-grants/{id}/return}: the holder ends a grant early. */
    public void giveBack(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        long requestOfGrant = jdbi.inTransaction(h -> {
            record Held(long holderId, long requestId, List<String> archiveNos, List<String> categories, String purpose,
                        boolean returned, boolean expired) {
            }
            Held held = h.createQuery("""
                            select holder_id, request_id, archive_nos, categories, purpose, returned_at is not null as returned,
                                   valid_until <= now() as expired
                              from access_grant where id = :id for update""")
                    .bind("id", id)
                    .map((rs, ctx) -> new Held(rs.getLong("holder_id"), rs.getLong("request_id"), strings(rs.getArray("archive_nos")),
                            strings(rs.getArray("categories")), rs.getString("purpose"), rs.getBoolean("returned"),
                            rs.getBoolean("expired")))
                    .findOne()
                    // another person's grant is not theirs to see either
                    .filter(g -> g.holderId() == caller.userId())
                    .orElseThrow(() -> ApiProblem.localized(404, "api.grant.none", "id", String.valueOf(id)));
            if (held.returned()) throw ApiProblem.localized(409, "api.grant.returned", "id", String.valueOf(id));
            if (held.expired()) throw ApiProblem.localized(409, "api.grant.expired", "id", String.valueOf(id));
            h.createUpdate("update access_grant set returned_at = now() where id = :id").bind("id", id).execute();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "return",
                    held.archiveNos().size() == 1 ? held.archiveNos().get(0) : null, held.categories(), held.purpose(), id, AuditEntry.OK,
                    Localized.of("audit.access.returned", "grant", id, "archives", String.join(", ", held.archiveNos()))));
            return held.requestId();
        });
        exchange.getMessage().setBody(find(requestOfGrant));
    }

    private RequestView find(long requestId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_REQUESTS + "where r.id = :id").bind("id", requestId)
                .map(AccessRequests::view).findOne()
                .orElseThrow(() -> ApiProblem.localized(404, "api.access.no-request", "id", String.valueOf(requestId))));
    }

    private static RequestView view(ResultSet rs, StatementContext ctx) throws SQLException {
        GrantView grant = null;
        if (rs.getObject("grant_id") != null) {
            grant = new GrantView(rs.getLong("grant_id"), strings(rs.getArray("grant_archive_nos")), categories(rs.getArray("grant_categories")),
                    time(rs.getTimestamp("valid_from")), time(rs.getTimestamp("valid_until")), time(rs.getTimestamp("returned_at")),
                    rs.getString("approved_by"), rs.getBoolean("live"));
        }
        return new RequestView(rs.getLong("id"), rs.getString("requester"), rs.getString("requester_role"),
                strings(rs.getArray("archive_nos")), categories(rs.getArray("categories")), rs.getString("purpose"), rs.getInt("days"),
                rs.getString("status"), time(rs.getTimestamp("requested_at")), rs.getString("decided_by"),
                time(rs.getTimestamp("decided_at")), rs.getString("reason"), grant);
    }

    private static List<String> textArray(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (!node.isArray() || node.isEmpty()) {
            throw ApiProblem.localized(400, "api.field.strings", "field", field,
                    "example", field.equals("categories") ? "[\"health\"]" : "[\"202311001\"]");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) throw ApiProblem.localized(400, "api.field.string-entry", "field", field, "item", item.toString());
            out.add(item.asText().strip());
        }
        return out;
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    private static List<Category> categories(Array array) throws SQLException {
        List<Category> out = new ArrayList<>();
        for (String label : strings(array)) out.add(Category.of(label));
        return out;
    }

    static List<String> labels(Collection<Category> categories) {
        return categories.stream().sorted().map(Category::label).toList();
    }

    private static String single(List<String> archiveNos) {
        return archiveNos.size() == 1 ? archiveNos.get(0) : null;
    }

    private static OffsetDateTime time(Timestamp t) {
        return t == null ? null : t.toInstant().atOffset(ZoneOffset.UTC);
    }
}
