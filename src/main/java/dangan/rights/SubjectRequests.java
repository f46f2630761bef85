package dangan.rights;

import dangan.i18n.Localized;

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
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
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

    /**
     * An open request of a given kind for an archive, locked for the transaction that answers it: who
     * received it, and which manager approved its export (null: none yet).
     */
    record Open(long id, long customerId, String kind, String receivedBy, String exportApprovedBy) {
    }

    static final Set<String> TAKEN_HERE = Set.of("access", "correction");
    /** How a customer can ask (subject_request.received_via), the same for every kind of request. */
    public static final List<String> VIA = List.of("desk", "phone", "mail", "letter");
    private static final String COLUMNS = """
            id, archive_no, kind, received_at, received_via, received_by, due_at, status, closed_at, closed_by, outcome,
            status = 'open' and due_at < now() as overdue""";

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final int dueDays;

    public SubjectRequests(DataSource dataSource, AuditTrail audit, int dueDays) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.dueDays = dueDays;
    }

    /** {@code POST /api/archives/{archiveNo}/requests} {kind: access|correction, via: desk|phone|mail|letter}: 201 with the request. */
    public void receive(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String archiveNo = dangan.access.Request.archiveNo(exchange); // this class has a Request of its own
        JsonNode body = Api.readJson(exchange);
        String kind = text(body, "kind");
        String via = text(body, "via");
        if (kind == null || !TAKEN_HERE.contains(kind)) {
            throw ApiProblem.localized(400, "api.request.kind", "value", kind == null ? "" : kind);
        }
        if (via == null || !VIA.contains(via)) {
            throw ApiProblem.localized(400, "api.via", "allowed", String.join(", ", VIA), "value", via == null ? "" : via);
        }
        Request filed = jdbi.inTransaction(h -> {
            long customerId = customerId(h, archiveNo, caller.is(Role.KEEPER, Role.MANAGER));
            Request request = h.createQuery("insert into subject_request (customer_id, archive_no, kind, received_via, received_by, due_at)"
                            + " values (:customer, :archiveNo, :kind, :via, :by, now() + make_interval(days => :days)) returning " + COLUMNS)
                    .bind("customer", customerId).bind("archiveNo", archiveNo).bind("kind", kind).bind("via", via)
                    .bind("by", caller.name()).bind("days", dueDays)
                    .map(SubjectRequests::request).one();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "request", archiveNo, List.of(), null, null,
                    AuditEntry.OK, Localized.of("audit.request.received", "kind", kind, "id", request.id(), "via", via,
                    "due", request.dueAt().toLocalDate())));
            return request;
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setBody(filed);
    }

    /** {@code GET /api/subject-requests?status=open|done|refused|all&overdue=true&kind=&archive_no=&limit=}: oldest due first. */
    public void list(Exchange exchange) {
        QueryParams q = QueryParams.of(exchange);
        String status = q.oneOf("status", Set.of("open", "done", "refused", "all"), "open");
        boolean overdue = q.bool("overdue", false);
        String kind = q.oneOf("kind", Set.of("access", "correction", "deletion", "withdrawal"), null);
        String archiveNo = q.text("archive_no");
        long limit = q.whole("limit", 500, 1, 5000);
        List<Request> requests = jdbi.withHandle(h -> h.createQuery("select " + COLUMNS
                        + " from subject_request where (:status = 'all' or status = :status)"
                        + " and (not :overdue or (status = 'open' and due_at < now()))"
                        + " and (cast(:kind as text) is null or kind = :kind) and (cast(:archiveNo as text) is null or archive_no = :archiveNo)"
                        + " order by due_at, id limit :limit")
                .bind("status", status).bind("overdue", overdue).bind("kind", kind).bind("archiveNo", archiveNo).bind("limit", limit)
                .map(SubjectRequests::request).list());
        exchange.getMessage().setBody(Map.of("requests", requests));
    }

    /** The open request {@code id} of this archive and kind, locked; 404/409 naming what is wrong. */
    static Open lockOpen(Handle h, long id, String archiveNo, String kind) {
        record Found(long customerId, String kind, String status, String archiveNo, String receivedBy, String approvedBy) {
        }
        Found found = h.createQuery("""
                        select customer_id, kind, status, archive_no, received_by, export_approved_by
                          from subject_request where id = :id for update""")
                .bind("id", id)
                .map((rs, ctx) -> new Found(rs.getLong("customer_id"), rs.getString("kind"), rs.getString("status"),
                        rs.getString("archive_no"), rs.getString("received_by"), rs.getString("export_approved_by")))
                .findOne().orElseThrow(() -> RuleException.notFound("refusal.request.none", "id", String.valueOf(id)));
        if (!archiveNo.equals(found.archiveNo())) {
            throw RuleException.conflict("refusal.request.other-archive", "id", String.valueOf(id), "archive", found.archiveNo(), "asked", archiveNo);
        }
        if (!kind.equals(found.kind())) {
            throw RuleException.conflict("refusal.request.other-kind", "id", String.valueOf(id), "kind", found.kind(), "asked", kind);
        }
        if (!"open".equals(found.status())) throw RuleException.conflict("refusal.request.closed", "id", String.valueOf(id), "status", found.status());
        return new Open(id, found.customerId(), kind, found.receivedBy(), found.approvedBy());
    }

    /**
     * {@code POST /api/subject-requests/{id}/approve-export} (manager): approves the export of the whole
     * archive for an open access request, which a keeper needs when the export holds categories outside
     * the keeper's view (health, identity). Never by the one who received the request; audited.
     */
    public void approveExport(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        long id = dangan.access.Request.id(exchange, "id");
        record Row(String archiveNo, String kind, String status, String receivedBy, String approvedBy) {
        }
        Map<String, Object> answer = jdbi.inTransaction(h -> {
            Row r = h.createQuery("""
                            select archive_no, kind, status, received_by, export_approved_by
                              from subject_request where id = :id for update""")
                    .bind("id", id)
                    .map((rs, ctx) -> new Row(rs.getString("archive_no"), rs.getString("kind"), rs.getString("status"),
                            rs.getString("received_by"), rs.getString("export_approved_by")))
                    .findOne().orElseThrow(() -> RuleException.notFound("refusal.request.none", "id", String.valueOf(id)));
            if (!"access".equals(r.kind())) {
                throw RuleException.conflict("refusal.request.export-kind", "id", String.valueOf(id), "kind", r.kind());
            }
            if (!"open".equals(r.status())) throw RuleException.conflict("refusal.request.closed", "id", String.valueOf(id), "status", r.status());
            if (caller.name().equals(r.receivedBy())) {
                throw RuleException.notPermitted("refusal.request.export-own", "id", String.valueOf(id));
            }
            if (r.approvedBy() != null) {
                throw RuleException.conflict("refusal.request.export-approved", "id", String.valueOf(id), "by", r.approvedBy());
            }
            h.createUpdate("update subject_request set export_approved_by = :by, export_approved_at = now() where id = :id")
                    .bind("by", caller.name()).bind("id", id).execute();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "approve", r.archiveNo(),
                    java.util.Arrays.stream(dangan.access.Category.values()).map(dangan.access.Category::label).toList(),
                    audit.messages().text("audit.purpose.access-request", "id", id), null, AuditEntry.OK,
                    Localized.of("audit.request.export-approved", "id", id, "receivedBy", String.valueOf(r.receivedBy()))));
            return Map.<String, Object>of("request_id", id, "archive_no", r.archiveNo(), "export_approved_by", caller.name());
        });
        exchange.getMessage().setBody(answer);
    }

    /** Closes a request as done, in the caller's transaction. */
    static void close(Handle h, long id, String by, String outcome) {
        h.createUpdate("update subject_request set status = 'done', closed_at = now(), closed_by = :by, outcome = :outcome where id = :id")
                .bind("by", by).bind("outcome", outcome).bind("id", id).execute();
    }

    /** The archive's customer; 404 when there is none, or when it is sealed and the caller may not see sealed archives (D-32). */
    private static long customerId(Handle h, String archiveNo, boolean seesSealed) {
        return h.createQuery("select id, sealed_at is not null or status = 'sealed' as sealed from customer where archive_no = :archiveNo")
                .bind("archiveNo", archiveNo)
                .map((rs, ctx) -> rs.getBoolean("sealed") && !seesSealed ? -1L : rs.getLong("id"))
                .findOne().filter(id -> id >= 0).orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", archiveNo));
    }

    private static Request request(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Request(rs.getLong("id"), rs.getString("archive_no"), rs.getString("kind"),
                rs.getObject("received_at", OffsetDateTime.class), rs.getString("received_via"), rs.getString("received_by"),
                rs.getObject("due_at", OffsetDateTime.class), rs.getString("status"), rs.getObject("closed_at", OffsetDateTime.class),
                rs.getString("closed_by"), rs.getString("outcome"), rs.getBoolean("overdue"));
    }

    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiProblem.localized(400, "api.field.text", "field", field);
        // blank-looking text (ideographic spaces, zero-width characters) is blank: Text.clean finds nothing visible
        return dangan.normalise.Text.clean(v.asText()) == null ? null : v.asText().strip();
    }
}
