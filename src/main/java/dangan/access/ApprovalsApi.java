package dangan.access;

import dangan.audit.AuditText;

import dangan.i18n.Localized;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dangan.archive.ReviewQueue;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.store.Db;
import dangan.tiers.TierProposals;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.JdbiException;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decisions the policies give to named roles, through the API, bean {@code approvals}: the annual
 * tier proposal (D-19: the review job proposes, a manager decides) and the review queue (D-16: a
 * manager or the archive keeper). The decider recorded is always the authenticated caller, never a
 * name from the body; each decision is audited in the transaction that makes it, each look at a
 * queue (it shows names and values) is audited as a read.
 */
public final class ApprovalsApi {

    private static final ObjectMapper SNAKE = Api.JSON.copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final TierProposals tiers;
    private final ReviewQueue review;
    private final AuditTrail audit;

    public ApprovalsApi(TierProposals tiers, ReviewQueue review, AuditTrail audit) {
        this.tiers = tiers;
        this.review = review;
        this.audit = audit;
    }

    /** {@code GET /api/tier-proposals}. */
    public void tierProposals(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        List<TierProposals.Proposal> proposals = tiers.list();
        List<Map<String, Object>> out = new ArrayList<>();
        for (TierProposals.Proposal p : proposals) out.add(proposal(p));
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of(), null, null, AuditEntry.OK,
                Localized.of("audit.tiers.list", "call", "GET /api/tier-proposals", "count", proposals.size())));
        exchange.getMessage().setBody(Map.of("proposals", out));
    }

    /** {@code GET /api/tier-proposals/{id}}: the proposal line by line (archive, name, tiers, figures). */
    public void tierProposal(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        TierProposals.Proposal p = tiers.proposal(id);
        if (p == null) throw ApiProblem.localized(404, "api.tiers.no-proposal", "id", String.valueOf(id));
        Map<String, Object> body = proposal(p);
        List<TierProposals.Line> lines = tiers.lines(id);
        body.put("lines", snake(lines));
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of(Category.BASIC.label()), null, null,
                AuditEntry.OK, Localized.of("audit.tiers.show", "call", "GET /api/tier-proposals/" + id, "lines", lines.size())));
        exchange.getMessage().setBody(body);
    }

    /** {@code POST /api/tier-proposals/{id}/approve} {lines?: [1, 2]}: applies all open lines, or those given. */
    public void approveTiers(Exchange exchange) throws SQLException {
        decideTiers(exchange, true);
    }

    /** {@code POST /api/tier-proposals/{id}/reject} {lines?: [3], reason?}: the archives keep their tiers. */
    public void rejectTiers(Exchange exchange) throws SQLException {
        decideTiers(exchange, false);
    }

    private void decideTiers(Exchange exchange, boolean approve) throws SQLException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        JsonNode body = Api.readOptionalJson(exchange);
        List<Integer> lines = new ArrayList<>();
        JsonNode given = body.path("lines");
        if (!given.isMissingNode() && !given.isNull()) {
            if (!given.isArray()) throw ApiProblem.localized(400, "api.lines.array");
            for (JsonNode line : given) {
                if (!line.isIntegralNumber() || !line.canConvertToInt() || line.asInt() < 1) {
                    throw ApiProblem.localized(400, "api.lines.entry", "item", line.toString());
                }
                lines.add(line.asInt());
            }
        }
        String reason = Api.optionalText(body, "reason");
        if (tiers.proposal(id) == null) throw ApiProblem.localized(404, "api.tiers.no-proposal", "id", String.valueOf(id));
        TierProposals.Also also = (c, d) -> audit.record(c, new AuditEntry(caller.name(), caller.role().label(),
                approve ? "approve" : "reject", null, List.of(), null, null, AuditEntry.OK,
                Localized.of("audit.tiers.decided", "id", id, "approve", approve ? "yes" : "no", "decided", d.decided(),
                        "stale", d.stale(), "hasLines", lines.isEmpty() ? "no" : "yes",
                        "lines", lines.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")),
                        "hasReason", reason.isEmpty() ? "no" : "yes", "reason", reason)));
        // a proposal gone meanwhile is the rules' 404 (RuleException), said in the request's language
        TierProposals.Decision decision = approve ? tiers.approve(id, lines, caller.name(), also) : tiers.reject(id, lines, caller.name(), also);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("proposal", id);
        answer.put(approve ? "approved" : "rejected", decision.decided());
        answer.put("stale", decision.stale());
        answer.put("not_open", decision.unknownLines());
        answer.put("decided_by", caller.name());
        answer.put("state", proposal(tiers.proposal(id)));
        exchange.getMessage().setBody(answer);
    }

    /** {@code GET /api/review}: held changes and archives waiting to be filed (D-16). */
    public void reviewQueue(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        List<ReviewQueue.PendingChange> changes = review.pendingChanges();
        List<ReviewQueue.PendingArchive> archives = review.pendingArchives();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("changes", snake(changes));
        body.put("archives", snake(archives));
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of(Category.BASIC.label()), null, null,
                AuditEntry.OK, Localized.of("audit.review.list", "call", "GET /api/review", "changes", changes.size(),
                "archives", changes.stream().map(ReviewQueue.PendingChange::archiveNo).distinct().count(), "waiting", archives.size())));
        exchange.getMessage().setBody(body);
    }

    /** {@code POST /api/review/{id}/accept}: the held change is applied and enters the change register. */
    public void acceptChange(Exchange exchange) throws SQLException {
        decideChange(exchange, true);
    }

    /** {@code POST /api/review/{id}/reject}: the archive keeps its value. */
    public void rejectChange(Exchange exchange) throws SQLException {
        decideChange(exchange, false);
    }

    private void decideChange(Exchange exchange, boolean accept) throws SQLException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        ReviewQueue.PendingChange held = review.pendingChanges().stream().filter(p -> p.id() == id).findFirst()
                .orElseThrow(() -> ApiProblem.localized(404, "api.review.none", "id", String.valueOf(id)));
        String archiveNo = held.archiveNo();
        String field = held.field();
        // a held sensitive column says where it goes: {"as": "health" | "allergies" | "extra" | "extra:NAME"}
        ReviewQueue.Filing as = accept ? ReviewQueue.Filing.parse(Api.optionalText(Api.readOptionalJson(exchange), "as")) : null;
        ReviewQueue.Also also = c -> audit.record(c, new AuditEntry(caller.name(), caller.role().label(), accept ? "change" : "reject",
                archiveNo, List.of(), null, null, AuditEntry.OK, as == null ? Localized.of("audit.review.decided", "id", id,
                "field", AuditText.field(field), "accept", accept ? "yes" : "no")
                : Localized.of("audit.review.held-filed", "id", id, "field", AuditText.field(field), "as", as.label())));
        try {
            // a sealed archive (409) or a change decided meanwhile (404) is the rules' refusal, said in the request's language
            if (accept) review.accept(id, caller.name(), caller.role(), as, also); else review.reject(id, caller.name(), also);
        } catch (JdbiException e) {
            if (Db.isUniqueViolation(e)) {
                // the database's own words would quote the value (a mobile, an ID number's hash): the field says enough
                throw ApiProblem.localized(409, "api.review.taken", "id", String.valueOf(id), "field", AuditText.field(field));
            }
            throw e;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("change", id);
        answer.put("archive_no", archiveNo);
        answer.put("status", accept ? "accepted" : "rejected");
        answer.put("decided_by", caller.name());
        exchange.getMessage().setBody(answer);
    }

    /** {@code POST /api/review/archives/{archiveNo}/file}: an archive opened from a low-trust source is filed. */
    public void fileArchive(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        String archiveNo = Request.archiveNo(exchange);
        boolean filed = review.file(archiveNo, caller.name(), c -> audit.record(c, new AuditEntry(caller.name(),
                caller.role().label(), "change", archiveNo, List.of(), null, null, AuditEntry.OK,
                Localized.of("audit.review.filed"))));
        if (!filed) throw ApiProblem.localized(404, "api.review.no-archive", "archive", archiveNo);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("archive_no", archiveNo);
        answer.put("review_status", "filed");
        answer.put("decided_by", caller.name());
        exchange.getMessage().setBody(answer);
    }

    private static Map<String, Object> proposal(TierProposals.Proposal p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", p.id());
        out.put("as_of", p.asOf());
        out.put("window_from", p.windowFrom());
        out.put("window_to", p.windowTo());
        out.put("status", p.status());
        out.put("filed_at", p.filedAt() == null ? null : p.filedAt().toInstant());
        out.put("filed_by", p.filedBy());
        out.put("decided_at", p.decidedAt() == null ? null : p.decidedAt().toInstant());
        out.put("lines_total", p.lines());
        out.put("open", p.open());
        out.put("approved", p.approved());
        out.put("rejected", p.rejected());
        out.put("stale", p.stale());
        return out;
    }

    /** Records as JSON with snake_case names, like the rest of the API. */
    private static JsonNode snake(Object value) {
        return SNAKE.valueToTree(value);
    }

}
