package dangan.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.archive.ArchiveReader;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.notify.Outbox;
import dangan.store.Transactions;
import org.apache.camel.Exchange;

import java.util.Collection;
import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
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

    private static final String LIVE = """
            select id, categories from access_grant
             where holder_id = ? and ? = any (archive_nos) and returned_at is null
               and valid_from <= now() and valid_until > now()
             order by id""";

    private static final String SELECT_REQUESTS = """
            select r.id, r.requester, r.requester_role, r.archive_nos, r.categories, r.purpose, r.days, r.status,
                   r.requested_at, r.decided_by, r.decided_at, r.reason,
                   g.id, g.archive_nos, g.categories, g.valid_from, g.valid_until, g.returned_at, g.approved_by,
                   (g.returned_at is null and g.valid_from <= now() and g.valid_until > now())
              from access_request r left join access_grant g on g.request_id = r.id
            """;

    private static final int MAX_ARCHIVES = 100;
    private static final int MAX_PURPOSE = 500;
    private static final int MAX_REASON = 500;

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final ArchiveReader reader;
    private final int maxDays;

    public AccessRequests(DataSource dataSource, AuditTrail audit, ArchiveReader reader, int maxDays) {
        if (maxDays < 1) throw new IllegalArgumentException("dangan.access.max-grant-days must be at least 1, not " + maxDays);
        this.dataSource = dataSource;
        this.audit = audit;
        this.reader = reader;
        this.maxDays = maxDays;
    }

    /** The holder's grants that cover this archive now. */
    public List<LiveGrant> live(Connection c, long holderId, String archiveNo) throws SQLException {
        List<LiveGrant> grants = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(LIVE)) {
            ps.setLong(1, holderId);
            ps.setString(2, archiveNo);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Set<Category> categories = EnumSet.noneOf(Category.class);
                    for (String label : strings(rs.getArray(2))) categories.add(Category.of(label));
                    grants.add(new LiveGrant(rs.getLong(1), categories));
                }
            }
        }
        return grants;
    }

    /** {@code POST /api/access-requests} {archive_nos, categories, purpose, days}: 201 with the request. */
    public void create(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        JsonNode body = Api.readJson(exchange);
        List<String> archiveNos = new ArrayList<>();
        for (String value : textArray(body, "archive_nos")) {
            String archiveNo = Request.archiveNo(value);
            if (!archiveNos.contains(archiveNo)) archiveNos.add(archiveNo);
        }
        if (archiveNos.size() > MAX_ARCHIVES) {
            throw ApiProblem.badRequest("at most " + MAX_ARCHIVES + " archives per request, got " + archiveNos.size());
        }
        List<Category> categories = Request.categories(textArray(body, "categories"));
        if (categories.isEmpty()) throw ApiProblem.badRequest("\"categories\" names no category: use some of " + Category.labels());
        String purpose = body.path("purpose").isTextual() ? body.get("purpose").asText().strip() : "";
        if (purpose.isEmpty()) {
            throw ApiProblem.badRequest("\"purpose\" is missing or empty: say why you need this data (it is recorded, D-25)");
        }
        if (purpose.length() > MAX_PURPOSE) throw ApiProblem.badRequest("\"purpose\" is longer than " + MAX_PURPOSE + " characters");
        JsonNode daysNode = body.path("days");
        if (!daysNode.canConvertToInt() || !daysNode.isIntegralNumber() || daysNode.asInt() < 1 || daysNode.asInt() > maxDays) {
            throw ApiProblem.badRequest("\"days\" must be a whole number from 1 to " + maxDays + " (dangan.access.max-grant-days), got "
                    + (daysNode.isMissingNode() ? "nothing" : daysNode.toString()));
        }
        int days = daysNode.asInt();
        long created = Transactions.inTransaction(dataSource, c -> {
            for (String archiveNo : archiveNos) {
                ArchiveReader.Head head = reader.head(c, archiveNo).orElse(null);
                if (head == null || (head.sealed() && !ArchiveApi.seesSealed(caller))) {
                    throw ApiProblem.notFound(ArchiveApi.noSuchArchive(archiveNo));
                }
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into access_request (requester_id, requester, requester_role, archive_nos, categories, purpose, days)
                    values (?, ?, ?, ?, ?, ?, ?) returning id""")) {
                ps.setLong(1, caller.userId());
                ps.setString(2, caller.name());
                ps.setString(3, caller.role().label());
                ps.setArray(4, c.createArrayOf("text", archiveNos.toArray()));
                ps.setArray(5, c.createArrayOf("text", labels(categories).toArray()));
                ps.setString(6, purpose);
                ps.setInt(7, days);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            audit.record(c, new AuditEntry(caller.name(), caller.role().label(), "access-request", single(archiveNos),
                    labels(categories), purpose, null, AuditEntry.OK,
                    "access request #" + id + " for " + days + " days on archives " + String.join(", ", archiveNos)));
            // the managers hear of it (D-25): an outbox event in this transaction — who, which categories, how many
            // archives and days; not the purpose's free text nor the archive numbers
            ObjectNode payload = Api.JSON.createObjectNode().put("request_id", id).put("requester", caller.name())
                    .put("requester_role", caller.role().label()).put("archives", archiveNos.size()).put("days", days);
            labels(categories).forEach(payload.putArray("categories")::add);
            Outbox.record(c, "access_requested", null, payload.toString());
            return id;
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setBody(find(created));
    }

    /** {@code GET /api/access-requests}: the caller's own requests (newest first); a manager also sees every pending one. */
    public void list(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        String where = caller.is(Role.MANAGER) ? "where r.requester_id = ? or r.status = 'pending'" : "where r.requester_id = ?";
        List<RequestView> requests = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT_REQUESTS + where + " order by r.id desc limit 1000")) {
            ps.setLong(1, caller.userId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) requests.add(view(rs));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requests", requests);
        exchange.getMessage().setBody(body);
    }

    /** {@code POST /api/access-requests/{id}/approve} {reason?}: a manager other than the requester; a grant from now. */
    public void approve(Exchange exchange) throws SQLException {
        decide(exchange, true);
    }

    /** {@code POST /api/access-requests/{id}/reject} {reason}: a manager other than the requester; the reason is required. */
    public void reject(Exchange exchange) throws SQLException {
        decide(exchange, false);
    }

    private void decide(Exchange exchange, boolean approve) throws SQLException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setBody(raw);
        JsonNode body = raw == null || raw.length == 0 ? Api.JSON.createObjectNode() : Api.readJson(exchange);
        String reason = body.path("reason").isTextual() ? body.get("reason").asText().strip() : "";
        if (!approve && reason.isEmpty()) {
            throw ApiProblem.badRequest("a rejection needs a reason: send {\"reason\": \"…\"} (the requester reads it)");
        }
        if (reason.length() > MAX_REASON) throw ApiProblem.badRequest("\"reason\" is longer than " + MAX_REASON + " characters");
        Transactions.inTransaction(dataSource, c -> {
            long requesterId;
            String requester;
            String status;
            String[] archiveNos;
            String[] categories;
            String purpose;
            int days;
            try (PreparedStatement ps = c.prepareStatement("""
                    select requester_id, requester, status, archive_nos, categories, purpose, days
                      from access_request where id = ? for update""")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw ApiProblem.notFound("there is no access request #" + id);
                    requesterId = rs.getLong(1);
                    requester = rs.getString(2);
                    status = rs.getString(3);
                    archiveNos = (String[]) rs.getArray(4).getArray();
                    categories = (String[]) rs.getArray(5).getArray();
                    purpose = rs.getString(6);
                    days = rs.getInt(7);
                }
            }
            List<String> scope = Arrays.asList(categories);
            String first = archiveNos.length == 1 ? archiveNos[0] : null;
            if (requesterId == caller.userId()) {
                throw ApiProblem.forbidden("access request #" + id + " is your own: another manager decides it (D-25)", first, scope);
            }
            if (!status.equals("pending")) throw ApiProblem.conflict("access request #" + id + " was already " + status);
            try (PreparedStatement ps = c.prepareStatement(
                    "update access_request set status = ?, decided_by = ?, decided_at = now(), reason = ? where id = ?")) {
                ps.setString(1, approve ? "approved" : "rejected");
                ps.setString(2, caller.name());
                ps.setString(3, reason.isEmpty() ? null : reason);
                ps.setLong(4, id);
                ps.executeUpdate();
            }
            Long grantId = null;
            if (approve) {
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into access_grant (request_id, holder_id, holder, archive_nos, categories, purpose,
                                                  valid_from, valid_until, approved_by)
                        select id, requester_id, requester, archive_nos, categories, purpose, now(),
                               now() + make_interval(days => days), ?
                          from access_request where id = ? returning id""")) {
                    ps.setString(1, caller.name());
                    ps.setLong(2, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        grantId = rs.getLong(1);
                    }
                }
            }
            audit.record(c, new AuditEntry(caller.name(), caller.role().label(), approve ? "approve" : "reject", first, scope,
                    purpose, grantId, AuditEntry.OK, "access request #" + id + " of " + requester + " "
                    + (approve ? "approved: grant #" + grantId + " for " + days + " days" : "rejected")
                    + " on archives " + String.join(", ", archiveNos) + (reason.isEmpty() ? "" : "; reason: " + reason)));
        });
        exchange.getMessage().setBody(find(id));
    }

    /** {@code POST /api/access-grants/{id}/return}: the holder ends a grant early. */
    public void giveBack(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        long requestOfGrant = Transactions.inTransaction(dataSource, c -> {
            long requestId;
            String[] archiveNos;
            String[] categories;
            String purpose;
            try (PreparedStatement ps = c.prepareStatement("""
                    select holder_id, request_id, archive_nos, categories, purpose, returned_at, valid_until <= now()
                      from access_grant where id = ? for update""")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) != caller.userId()) {
                        // another person's grant is not theirs to see either
                        throw ApiProblem.notFound("you hold no access grant #" + id);
                    }
                    if (rs.getTimestamp(6) != null) throw ApiProblem.conflict("access grant #" + id + " was returned already");
                    if (rs.getBoolean(7)) throw ApiProblem.conflict("access grant #" + id + " has expired already");
                    requestId = rs.getLong(2);
                    archiveNos = (String[]) rs.getArray(3).getArray();
                    categories = (String[]) rs.getArray(4).getArray();
                    purpose = rs.getString(5);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("update access_grant set returned_at = now() where id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            audit.record(c, new AuditEntry(caller.name(), caller.role().label(), "return",
                    archiveNos.length == 1 ? archiveNos[0] : null, Arrays.asList(categories), purpose, id, AuditEntry.OK,
                    "access grant #" + id + " returned by its holder on archives " + String.join(", ", archiveNos)));
            return requestId;
        });
        exchange.getMessage().setBody(find(requestOfGrant));
    }

    private RequestView find(long requestId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT_REQUESTS + "where r.id = ?")) {
            ps.setLong(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw ApiProblem.notFound("there is no access request #" + requestId);
                return view(rs);
            }
        }
    }

    private static RequestView view(ResultSet rs) throws SQLException {
        GrantView grant = null;
        if (rs.getObject(13) != null) {
            grant = new GrantView(rs.getLong(13), strings(rs.getArray(14)), categories(rs.getArray(15)), time(rs.getTimestamp(16)),
                    time(rs.getTimestamp(17)), time(rs.getTimestamp(18)), rs.getString(19), rs.getBoolean(20));
        }
        return new RequestView(rs.getLong(1), rs.getString(2), rs.getString(3), strings(rs.getArray(4)), categories(rs.getArray(5)),
                rs.getString(6), rs.getInt(7), rs.getString(8), time(rs.getTimestamp(9)), rs.getString(10), time(rs.getTimestamp(11)),
                rs.getString(12), grant);
    }

    private static List<String> textArray(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (!node.isArray() || node.isEmpty()) {
            throw ApiProblem.badRequest("\"" + field + "\" must be a non-empty array of strings, like "
                    + (field.equals("categories") ? "[\"health\"]" : "[\"202311001\"]"));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) throw ApiProblem.badRequest("\"" + field + "\" holds " + item + ": each entry must be a string");
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
