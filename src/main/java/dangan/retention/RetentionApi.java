package dangan.retention;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Request;
import dangan.rights.SubjectRequests;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.List;

/**
 * The bean {@code retentionApi}: the REST resources of routes/retention.yaml. Roles: a deletion
 * request is taken by front-desk, keeper or manager; proposals are read by keepers and managers and
 * decided (approve/reject) by a manager who did not file them; unsealing is a manager's.
 */
public final class RetentionApi {


    private final DestructionProposals proposals;

    public RetentionApi(DestructionProposals proposals) {
        this.proposals = proposals;
    }

    /** POST /api/archives/{archiveNo}/deletion-request {via, note}. */
    public void deletionRequest(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        String archiveNo = Request.archiveNo(exchange);
        JsonNode body = Api.readJson(exchange);
        String via = text(body, "via", "desk");
        if (!SubjectRequests.VIA.contains(via)) {
            throw ApiProblem.localized(400, "api.via", "allowed", String.join(", ", SubjectRequests.VIA), "value", via);
        }
        String note = text(body, "note", null);
        if (note != null && note.length() > 1000) throw ApiProblem.localized(400, "api.field.too-long", "field", "note", "max", "1000");
        exchange.getMessage().setBody(proposals.fileDeletionRequest(archiveNo, via, caller.name(), caller.role(), note));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
    }

    /** POST /api/destruction-proposals {archive_nos: [...], reason: retention|damaged, note} (keeper, manager). */
    public void file(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        JsonNode body = Api.readJson(exchange);
        JsonNode list = body.get("archive_nos");
        if (list == null || !list.isArray()) throw ApiProblem.localized(400, "api.destruction.archives");
        if (list.size() > 1000) throw ApiProblem.localized(400, "api.destruction.too-many", "max", "1000");
        List<String> archiveNos = new ArrayList<>();
        for (JsonNode n : list) {
            if (!n.isTextual() || !n.asText().matches("\\d{9,12}")) {
                throw ApiProblem.localized(400, "api.destruction.archive-no", "item", n.toString());
            }
            archiveNos.add(n.asText());
        }
        String note = text(body, "note", null);
        if (note != null && note.length() > 1000) throw ApiProblem.localized(400, "api.field.too-long", "field", "note", "max", "1000");
        exchange.getMessage().setBody(proposals.fileProposal(archiveNos, text(body, "reason", null), note, caller.name(),
                caller.role()));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
    }

    /** GET /api/destruction-proposals[?status=open|decided]. */
    public void list(Exchange exchange) throws Exception {
        String status = Request.of(exchange).param("status"); // the query string, not a request header
        if (status != null && !status.equals("open") && !status.equals("decided")) {
            throw ApiProblem.localized(400, "api.destruction.status");
        }
        exchange.getMessage().setBody(proposals.list(status));
    }

    /** GET /api/destruction-proposals/{id}. */
    public void show(Exchange exchange) throws Exception {
        exchange.getMessage().setBody(proposals.show(id(exchange)));
    }

    /** POST /api/destruction-proposals/{id}/approve {lines?, method, reason}. */
    public void approve(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        long id = id(exchange);
        JsonNode body = Api.readJson(exchange);
        exchange.getMessage().setBody(proposals.approve(id, lines(body), text(body, "method", null), text(body, "reason", null),
                caller.name(), caller.role()));
    }

    /** POST /api/destruction-proposals/{id}/reject {lines?, reason}. */
    public void reject(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        long id = id(exchange);
        JsonNode body = Api.readJson(exchange);
        exchange.getMessage().setBody(proposals.reject(id, lines(body), text(body, "reason", null), caller.name(), caller.role()));
    }

    /** POST /api/archives/{archiveNo}/unseal {reason}. */
    public void unseal(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        String archiveNo = Request.archiveNo(exchange);
        JsonNode body = Api.readJson(exchange);
        exchange.getMessage().setBody(proposals.unseal(archiveNo, text(body, "reason", null), caller.name(), caller.role()));
    }

    private static long id(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        if (id == null || !id.matches("\\d{1,18}")) throw ApiProblem.localized(400, "api.destruction.id", "value", String.valueOf(id));
        return Long.parseLong(id);
    }

    private static String text(JsonNode body, String field, String fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return fallback;
        if (!node.isTextual()) throw ApiProblem.localized(400, "api.field.text", "field", field);
        String value = node.asText().strip();
        return value.isEmpty() ? fallback : value;
    }

    private static List<Integer> lines(JsonNode body) {
        JsonNode node = body.get("lines");
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) throw ApiProblem.localized(400, "api.lines.array");
        List<Integer> lines = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
                throw ApiProblem.localized(400, "api.lines.entry", "item", n.toString());
            }
            lines.add(n.asInt());
        }
        return lines;
    }
}
