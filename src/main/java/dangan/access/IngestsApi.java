package dangan.access;

import dangan.i18n.Localized;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.intake.FileCheck;
import dangan.intake.IngestRevert;
import dangan.intake.IngestRun;
import dangan.intake.RevertReport;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks and reverts through the API, bean {@code ingestsApi}: {@code POST /api/ingests/check} (check a file
 * before filing it, {@link FileCheck}) and {@code POST /api/ingests/{id}/revert} (undo one, {@link IngestRevert}).
 * The ledger itself, {@code GET /api/ingests}, is the operations' {@code intakeApi} (administrator). Who may call
 * which is in routes/ingests.yaml; the reverting manager is always the authenticated caller.
 */
public final class IngestsApi {

    private final IngestRevert ingests;
    private final AuditTrail audit;
    private final Path reportFolder;
    private final Language language;

    private final FileCheck check;

    public IngestsApi(IngestRevert ingests, FileCheck check, AuditTrail audit, Path reportFolder, Language language) {
        this.ingests = ingests;
        this.check = check;
        this.audit = audit;
        this.reportFolder = reportFolder;
        this.language = language;
    }

    /**
     * {@code POST /api/ingests/check?name=FILE&channel=CHANNEL}, the file's bytes as the body: what filing it
     * would do, changing nothing ({@link FileCheck}); the report goes beside the reject reports, the answer
     * carries its counts and name. Audited: the report shows values the archive holds.
     */
    public void check(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        byte[] content = exchange.getMessage().getBody(byte[].class);
        if (content == null || content.length == 0) throw ApiProblem.localized(400, "api.check.empty");
        String given = exchange.getMessage().getHeader("name", String.class);
        String name = given == null || given.isBlank() ? "upload.csv" : Path.of(given.strip().replace('\\', '/')).getFileName().toString();
        if (name.startsWith(".")) throw ApiProblem.localized(400, "api.check.name", "value", String.valueOf(given));
        String channel = exchange.getMessage().getHeader("channel", String.class);
        Path folder = Files.createTempDirectory("dangan-check-"); // owner-only, like every temporary file
        Path file = folder.resolve(name);
        try {
            Files.write(file, content);
            FileCheck.Result result = check.check(file, channel == null || channel.isBlank() ? check.channel() : channel.strip());
            IngestRun run = result.run();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("file", name);
            body.put("channel", run.channel());
            body.put("lines", run.read());
            body.put("new", run.created());
            body.put("updated", run.updated());
            body.put("duplicates", run.duplicates());
            body.put("review", run.review());
            body.put("rejected", run.rejected());
            body.put("warnings", run.warnings());
            body.put("duplicate_of", run.duplicateOf());
            body.put("not_filed", result.notFiled());
            body.put("report", result.report().getFileName().toString());
            audit.record(new AuditEntry(caller.name(), caller.role().label(), "check", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.ingest.check", "call", "POST /api/ingests/check", "file", name, "lines", run.read())));
            exchange.getMessage().setBody(body);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    /** {@code POST /api/ingests/{id}/revert}: a manager undoes one ingest; the answer is its report. */
    public void revert(Exchange exchange) throws IOException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        IngestRevert.Result result = ingests.revert(id, caller.name());
        Messages messages = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class), language);
        Path report = RevertReport.write(result, reportFolder, Messages.of(language));
        List<List<String>> rows = RevertReport.rows(result, messages);
        List<Map<String, Object>> exceptions = new ArrayList<>();
        for (List<String> row : rows.subList(1 + result.removed().size(),
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
        body.put("summary", rows.get(0).get(2));
        body.put("report", report.getFileName().toString());
        exchange.getMessage().setBody(body);
    }
}
