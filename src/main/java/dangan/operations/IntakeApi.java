package dangan.operations;

import dangan.i18n.Localized;

import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.QueryParams;
import dangan.access.Request;
import dangan.archive.MergeTexts;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import org.apache.camel.Exchange;

import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What became of every file, mail, contracts poll and survey batch (the ingest ledger), for the
 * administrator who dropped them: the reconciliation of each (new / updated / duplicate / review /
 * rejected = lines), its rejected lines and warnings with their reasons, the reject report and the
 * file that failed as a whole to download. Bean {@code intakeApi}, routes/operations.yaml. The
 * lines show values from the input (masked where sensitive, as in the reject report): each look at
 * them is audited.
 */
public final class IntakeApi {

    private static final String INGEST_COLUMNS = """
            id, source_type, channel, source_name, format, status, duplicate_of, rows_total, rows_new, rows_updated,
            rows_duplicate, rows_review, rows_rejected, warnings, extra_columns, error, started_at, finished_at""";

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final Path home;
    private final Language language;

    public IntakeApi(DataSource dataSource, AuditTrail audit, Path home, Language language) {
        this.language = language;
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.home = home;
    }

    /** {@code GET /api/ingests?days=7&limit=200}: the ingests of the last days, newest first (administrator). */
    public void list(Exchange exchange) {
        Caller.of(exchange);
        QueryParams params = QueryParams.of(exchange);
        long days = params.whole("days", 7, 1, 366);
        long limit = params.whole("limit", 200, 1, 1000);
        List<Map<String, Object>> ingests = jdbi.withHandle(h -> h.createQuery("select " + INGEST_COLUMNS
                        + " from ingest where started_at > now() - make_interval(days => :days) order by id desc limit :limit")
                .bind("days", (int) days).bind("limit", (int) limit)
                .map((rs, ctx) -> ingest(rs)).list());
        exchange.getMessage().setBody(Map.of("days", days, "ingests", ingests));
    }

    /** {@code GET /api/ingests/{id}}: one ingest with its rejected lines and warnings, in line order (administrator; audited). */
    public void show(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        Map<String, Object> body = ingest(id);
        // a warning the merge wrote as a key is said in the request's language (Accept-Language), else as stored
        Messages said = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class), language);
        List<Map<String, Object>> issues = jdbi.withHandle(h -> h.createQuery("""
                        select line_no, case severity when 'reject' then 'rejected' else 'warning' end as outcome,
                               column_name, value_shown, reason, reason_key, reason_args::text as reason_args
                          from intake_issue where ingest_id = :id order by line_no, id limit 5000""")
                .bind("id", id)
                .map((rs, ctx) -> {
                    Map<String, Object> issue = new LinkedHashMap<>();
                    issue.put("line", rs.getInt("line_no"));
                    issue.put("outcome", rs.getString("outcome"));
                    issue.put("column", rs.getString("column_name"));
                    issue.put("value", rs.getString("value_shown"));
                    String key = rs.getString("reason_key");
                    issue.put("reason", key == null ? rs.getString("reason") : MergeTexts.say(said, key, rs.getString("reason_args")));
                    return issue;
                }).list());
        body.put("issues", issues);
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of(), null, null, AuditEntry.OK,
                Localized.of("audit.ingest.issues", "call", "GET /api/ingests/" + id, "count", issues.size())));
        exchange.getMessage().setBody(body);
    }

    /** {@code GET /api/ingests/{id}/rejects.csv}: the reject report as written to outbox/rejects (administrator; audited). */
    public void rejectReport(Exchange exchange) throws IOException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        String name = (String) ingest(id).get("source_name");
        Path report = home.resolve("outbox").resolve("rejects").resolve(name + ".rejects.csv");
        if (!Files.isRegularFile(report)) {
            throw ApiProblem.localized(404, "api.ingest.no-report", "id", String.valueOf(id), "file", name);
        }
        download(exchange, caller, id, report, name + ".rejects.csv", "text/csv; charset=utf-8");
    }

    /** {@code GET /api/ingests/{id}/failed-file}: the file set aside in failed/ as it was dropped (administrator; audited). */
    public void failedFile(Exchange exchange) throws IOException {
        Caller caller = Caller.of(exchange);
        long id = Request.id(exchange, "id");
        Map<String, Object> ingest = ingest(id);
        String name = (String) ingest.get("source_name");
        Path failed = failedCopy((String) ingest.get("channel"), name);
        if (failed == null) throw ApiProblem.localized(404, "api.ingest.no-failed", "id", String.valueOf(id), "file", name);
        download(exchange, caller, id, failed, name, "application/octet-stream");
    }

    private void download(Exchange exchange, Caller caller, long id, Path file, String name, String type) throws IOException {
        byte[] content = Files.readAllBytes(file);
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "export", null, List.of(), null, null, AuditEntry.OK,
                Localized.of("audit.ingest.download", "call", "GET " + exchange.getMessage().getHeader(Exchange.HTTP_PATH, "", String.class)
                        .replaceAll("[\\r\\n]", "_"), "id", id, "bytes", content.length)));
        exchange.getMessage().setBody(new Api.Download(content, type, name));
    }

    /** The newest copy of this file under inbox/<channel>/failed/<date>/ (named <time>-<name>), if any. */
    private Path failedCopy(String channel, String name) throws IOException {
        if (channel == null || !channel.matches("[a-z-]+")) return null;
        Path failed = home.resolve("inbox").resolve(channel).resolve("failed");
        if (!Files.isDirectory(failed)) return null;
        try (Stream<Path> files = Files.walk(failed, 2)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith("-" + name))
                    .max(Comparator.comparing(Path::toString)).orElse(null);
        }
    }

    /** One ingest as the API shows it; 404 when there is none. */
    private Map<String, Object> ingest(long id) {
        return jdbi.withHandle(h -> h.createQuery("select " + INGEST_COLUMNS + " from ingest where id = :id")
                        .bind("id", id).map((rs, ctx) -> ingest(rs)).findOne())
                .orElseThrow(() -> ApiProblem.localized(404, "api.ingest.none", "id", String.valueOf(id)));
    }

    private static Map<String, Object> ingest(ResultSet rs) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        ResultSetMetaData meta = rs.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String column = meta.getColumnLabel(i);
            Object value = switch (column) {
                case "started_at", "finished_at" -> rs.getObject(i, OffsetDateTime.class);
                case "extra_columns" -> rs.getArray(i) == null ? List.of() : List.of((Object[]) rs.getArray(i).getArray());
                default -> rs.getObject(i);
            };
            row.put(column, value);
        }
        long lines = ((Number) row.get("rows_total")).longValue();
        long sum = ((Number) row.get("rows_new")).longValue() + ((Number) row.get("rows_updated")).longValue()
                + ((Number) row.get("rows_duplicate")).longValue() + ((Number) row.get("rows_review")).longValue()
                + ((Number) row.get("rows_rejected")).longValue();
        row.put("reconciled", lines == sum);
        return row;
    }
}
