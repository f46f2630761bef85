package dangan.rights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Role;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.access.QueryParams;
import dangan.rules.RuleException;
import dangan.store.Transactions;
import org.apache.camel.Exchange;

import java.util.Map;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The customer's requests about their own archive (PIPL; D-28), each tracked to its deadline in
 * {@code subject_request}: received = now, due = received + {@code dangan.rights.due-days}. This
 * bean takes access and correction requests ({@code POST /api/archives/{archiveNo}/requests}) and
 * lists them ({@code GET /api/subject-requests}); deletion requests (destruction) and withdrawals
 * (consent) are filed by their own capabilities into the same table and listed here too.
 */
public final class SubjectRequests {

    /** A request as the API shows it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Request(long id, String archiveNo, String kind, OffsetDateTime receivedAt, String receivedVia,
                          String receivedBy, OffsetDateTime dueAt, String status, OffsetDateTime closedAt, String closedBy,
                          String outcome, boolean overdue) {
    }

    /** An open request of a given kind for an archive, locked for the transaction that answers it. */
    record Open(long id, long customerId, String kind) {
    }

    static final Set<String> TAKEN_HERE = Set.of("access", "correction");
    /** How a customer can ask (subject_request.received_via), the same for every kind of request. */
    public static final List<String> VIA = List.of("desk", "phone", "mail", "letter");
    private static final String COLUMNS = """
            id, archive_no, kind, received_at, received_via, received_by, due_at, status, closed_at, closed_by, outcome,
            status = 'open' and due_at < now() as overdue""";

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final int dueDays;

    public SubjectRequests(DataSource dataSource, AuditTrail audit, int dueDays) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.dueDays = dueDays;
    }

    /** {@code POST /api/archives/{archiveNo}/requests} {kind: access|correction, via: desk|phone|mail|letter}: 201 with the request. */
    public void receive(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        String archiveNo = dangan.access.Request.archiveNo(exchange); // this class has a Request of its own
        JsonNode body = Api.readJson(exchange);
        String kind = text(body, "kind");
        String via = text(body, "via");
        if (kind == null || !TAKEN_HERE.contains(kind)) {
            throw ApiProblem.badRequest("kind must be access or correction, not " + (kind == null ? "missing" : "'" + kind + "'")
                    + " (a deletion request goes to destruction, a withdrawal of consent to consents)");
        }
        if (via == null || !VIA.contains(via)) {
            throw ApiProblem.badRequest("via must be one of " + String.join(", ", VIA) + " (how the customer asked), not " + (via == null ? "missing" : "'" + via + "'"));
        }
        Request filed = Transactions.inTransaction(dataSource, c -> {
            long customerId = customerId(c, archiveNo, caller.is(Role.KEEPER, Role.MANAGER));
            Request request;
            try (PreparedStatement ps = c.prepareStatement("insert into subject_request (customer_id, archive_no, kind, received_via,"
                    + " received_by, due_at) values (?, ?, ?, ?, ?, now() + make_interval(days => ?)) returning " + COLUMNS)) {
                ps.setLong(1, customerId);
                ps.setString(2, archiveNo);
                ps.setString(3, kind);
                ps.setString(4, via);
                ps.setString(5, caller.name());
                ps.setInt(6, dueDays);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    request = request(rs);
                }
            }
            audit.record(c, new AuditEntry(caller.name(), caller.role().label(), "request", archiveNo, List.of(), null, null,
                    AuditEntry.OK, kind + " request #" + request.id() + " received via " + via + ", due " + request.dueAt().toLocalDate()));
            return request;
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setBody(filed);
    }

    /** {@code GET /api/subject-requests?status=open|done|refused|all&overdue=true&kind=&archive_no=&limit=}: oldest due first. */
    public void list(Exchange exchange) throws SQLException {
        QueryParams q = QueryParams.of(exchange);
        String status = q.oneOf("status", Set.of("open", "done", "refused", "all"), "open");
        boolean overdue = q.bool("overdue", false);
        String kind = q.oneOf("kind", Set.of("access", "correction", "deletion", "withdrawal"), null);
        String archiveNo = q.text("archive_no");
        long limit = q.whole("limit", 500, 1, 5000);
        List<Request> requests = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select " + COLUMNS
                + " from subject_request where (? = 'all' or status = ?) and (not ? or (status = 'open' and due_at < now()))"
                + " and (?::text is null or kind = ?) and (?::text is null or archive_no = ?) order by due_at, id limit ?")) {
            ps.setString(1, status);
            ps.setString(2, status);
            ps.setBoolean(3, overdue);
            ps.setString(4, kind);
            ps.setString(5, kind);
            ps.setString(6, archiveNo);
            ps.setString(7, archiveNo);
            ps.setLong(8, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) requests.add(request(rs));
            }
        }
        exchange.getMessage().setBody(Map.of("requests", requests));
    }

    /** The open request {@code id} of this archive and kind, locked; 404/409 naming what is wrong. */
    static Open lockOpen(Connection c, long id, String archiveNo, String kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select id, customer_id, kind, status, archive_no from subject_request where id = ? for update")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new RuleException.NotFound("no customer request #" + id);
                if (!archiveNo.equals(rs.getString(5))) {
                    throw new RuleException.Conflict("request #" + id + " is about archive " + rs.getString(5) + ", not " + archiveNo);
                }
                if (!kind.equals(rs.getString(3))) {
                    throw new RuleException.Conflict("request #" + id + " is a " + rs.getString(3) + " request, not " + kind);
                }
                if (!"open".equals(rs.getString(4))) throw new RuleException.Conflict("request #" + id + " is " + rs.getString(4) + " already");
                return new Open(id, rs.getLong(2), kind);
            }
        }
    }

    /** Closes a request as done, in the caller's transaction. */
    static void close(Connection c, long id, String by, String outcome) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update subject_request set status = 'done', closed_at = now(), closed_by = ?, outcome = ? where id = ?")) {
            ps.setString(1, by);
            ps.setString(2, outcome);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    /** The archive's customer; 404 when there is none, or when it is sealed and the caller may not see sealed archives (D-32). */
    private static long customerId(Connection c, String archiveNo, boolean seesSealed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select id, sealed_at is not null or status = 'sealed' from customer where archive_no = ?")) {
            ps.setString(1, archiveNo);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || (rs.getBoolean(2) && !seesSealed)) throw new RuleException.NotFound("no archive " + archiveNo);
                return rs.getLong(1);
            }
        }
    }

    private static Request request(ResultSet rs) throws SQLException {
        return new Request(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class), rs.getString(5),
                rs.getString(6), rs.getObject(7, OffsetDateTime.class), rs.getString(8), rs.getObject(9, OffsetDateTime.class),
                rs.getString(10), rs.getString(11), rs.getBoolean(12));
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiProblem.badRequest(field + " must be text");
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }
}
