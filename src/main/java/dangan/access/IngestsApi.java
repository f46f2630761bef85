package dangan.access;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.intake.IngestRevert;
import dangan.intake.RevertReport;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The intake ledger through the API, bean {@code ingestsApi}: {@code GET /api/ingests} (recent ingests with
 * their counts) and {@code POST /api/ingests/{id}/revert} (undo one, {@link IngestRevert}). Who may call
 * which is in routes/ingests.yaml; the reverting manager is always the authenticated caller.
 */
public final class IngestsApi {

    private final IngestRevert ingests;
    private final AuditTrail audit;
    private final Path reportFolder;
    private final Language language;

    public IngestsApi(IngestRevert ingests, AuditTrail audit, Path reportFolder, Language language) {
        this.ingests = ingests;
        this.audit = audit;
        this.reportFolder = reportFolder;
        this.language = language;
    }

    /** {@code GET /api/ingests?limit=N}: newest first (default 50, at most 1000). */
    public void list(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String limitParam = exchange.getMessage().getHeader("limit", String.class);
        int limit;
        try {
            limit = limitParam == null ? 50 : Math.max(1, Math.min(1000, Integer.parseInt(limitParam.strip())));
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("limit must be a whole number, not '" + limitParam + "'");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (IngestRevert.Entry e : ingests.list(limit)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("source_type", e.sourceType());
            m.put("channel", e.channel());
            m.put("source", e.source());
            m.put("status", e.status());
            m.put("started_at", e.startedAt() == null ? null : e.startedAt().toInstant().toString());
            m.put("finished_at", e.finishedAt() == null ? null : e.finishedAt().toInstant().toString());
            m.put("lines", e.lines());
            m.put("new", e.created());
            m.put("updated", e.updated());
            m.put("duplicates", e.duplicates());
            m.put("review", e.review());
            m.put("rejected", e.rejected());
            m.put("warnings", e.warnings());
            m.put("reverted_by", e.revertedBy());
            m.put("reverted_at", e.revertedAt() == null ? null : e.revertedAt().toInstant().toString());
            out.add(m);
        }
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of(), null, null, AuditEntry.OK,
                "GET /api/ingests: " + out.size() + " ingests (file names and counts)"));
        exchange.getMessage().setBody(Map.of("ingests", out));
    }

    /** {@code POST /api/ingests/{id}/revert}: a manager undoes one ingest; the answer is its report. */
    public void revert(Exchange exchange) throws IOException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        IngestRevert.Result result = ingests.revert(id, caller.name());
        Messages messages = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class), language);
        Path report = RevertReport.write(result, reportFolder, Messages.of(language));
        List<Map<String, Object>> exceptions = new ArrayList<>();
        for (List<String> row : RevertReport.rows(result, messages).subList(1 + result.removed().size(),
                1 + result.removed().size() + result.exceptions().size())) {
            exceptions.add(Map.of("archive_no", row.get(0), "what", row.get(1), "reason", row.get(2)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ingest_id", id);
        body.put("reverted_by", caller.name());
        body.put("archives_removed", result.archivesRemoved());
        body.put("fields_restored", result.fieldsRestored());
        body.put("facts_removed", result.factsRemoved());
        body.put("reviews_withdrawn", result.reviewsWithdrawn());
        body.put("notifications_withdrawn", result.notificationsWithdrawn());
        body.put("removed", result.removed());
        body.put("not_undone", exceptions);
        body.put("summary", RevertReport.rows(result, messages).get(0).get(2));
        body.put("report", report.getFileName().toString());
        exchange.getMessage().setBody(body);
    }
}
