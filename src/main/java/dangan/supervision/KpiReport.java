package dangan.supervision;

import dangan.access.QueryParams;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.i18n.Messages;
import dangan.intake.RejectReport;
import dangan.jobs.JobDate;
import dangan.store.Db;
import dangan.store.SqlScript;
import org.apache.camel.Exchange;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSetMetaData;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KPI report (D-33) for a month: archive completeness, accuracy of what came in, update
 * timeliness, accesses per person (denied and out of policy), the customer's requests past their
 * deadline, and — when the consents capability's view exists — archives holding sensitive data
 * without consent. The bean {@code kpiReport}: {@code GET /api/kpi?month=YYYY-MM} (auditor,
 * manager) and the job {@code kpi-report}, which writes {@code outbox/kpi/<yyyy-MM>.json} and
 * {@code .csv} for the month before its day. The figures come from set-based SQL in
 * {@code sql/kpi-*.sql}; nothing in the report names a customer.
 */
public final class KpiReport {

    private static final Logger LOG = LoggerFactory.getLogger(KpiReport.class);
    static final List<String> BASIC_FIELDS = List.of("name", "gender", "birth_date", "mobile", "email", "address", "id_number",
            "employer", "job_title", "nationality");

    /** What the report is computed with (configuration). */
    public record Settings(ZoneId zone, List<String> requiredFields, int staleDays, int bulkReadThreshold, LocalTime opensAt,
                           LocalTime closesAt, Path folder, Messages messages, boolean keys) {
        public Settings {
            for (String f : requiredFields) {
                if (!BASIC_FIELDS.contains(f)) {
                    throw dangan.i18n.ConfigurationException.of("config.kpi.field", "value", f, "fields", String.join(", ", BASIC_FIELDS));
                }
            }
            if ((opensAt == null) != (closesAt == null)) {
                throw dangan.i18n.ConfigurationException.of("config.kpi.both-times");
            }
        }

        /** Reads {@code dangan.kpi.opening-hours} ({@code HH:MM-HH:MM}, empty: none). */
        public static LocalTime[] openingHours(String value) {
            if (value == null || value.isBlank() || value.strip().equals("none")) return new LocalTime[]{null, null};
            String[] parts = value.strip().split("\\s*-\\s*");
            try {
                if (parts.length != 2) throw new IllegalArgumentException();
                LocalTime from = LocalTime.parse(parts[0]);
                LocalTime to = LocalTime.parse(parts[1]);
                if (!from.isBefore(to)) throw new IllegalArgumentException();
                return new LocalTime[]{from, to};
            } catch (RuntimeException e) {
                throw dangan.i18n.ConfigurationException.of("config.kpi.hours", "value", value);
            }
        }
    }

    private final Jdbi jdbi;
    private final Settings settings;

    public KpiReport(DataSource dataSource, Settings settings) {
        this.jdbi = Db.jdbi(dataSource);
        this.settings = settings;
    }

    /** {@code GET /api/kpi?month=YYYY-MM} (default: the running month). */
    public void api(Exchange exchange) throws IOException {
        YearMonth month = QueryParams.of(exchange).month("month");
        if (month == null) month = YearMonth.now(settings.zone());
        if (month.isAfter(YearMonth.now(settings.zone()))) throw ApiProblem.localized(400, "api.kpi.future", "month", month.toString());
        exchange.getMessage().setBody(report(month, Instant.now()));
    }

    /** The scheduled job: the report of the month before the job's day, as JSON and CSV in outbox/kpi/. */
    public void job(Exchange exchange) throws Exception {
        LocalDate day = JobDate.of(exchange, settings.zone());
        YearMonth month = YearMonth.from(day).minusMonths(1);
        long started = System.nanoTime();
        Map<String, Object> report = report(month, Instant.now());
        Path[] files = write(month, report);
        String summary = settings.messages().text("kpi.written", "month", month.toString(), "json", files[0].getFileName().toString(),
                "csv", files[1].getFileName().toString(), "seconds", (System.nanoTime() - started) / 1e9);
        LOG.info(summary);
        exchange.getMessage().setBody(summary);
    }

    /** The month's figures; a running month is measured up to {@code now}. */
    public Map<String, Object> report(YearMonth month, Instant now) throws IOException {
        Instant from = month.atDay(1).atStartOfDay(settings.zone()).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(settings.zone()).toInstant();
        Instant asOf = now.isBefore(to) ? now : to;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("from", from.toString());
        p.put("to", to.toString());
        p.put("as_of", asOf.toString());
        p.put("fields", "[" + String.join(",", settings.requiredFields().stream().map(f -> "\"" + f + "\"").toList()) + "]");
        p.put("days", String.valueOf(settings.staleDays()));
        p.put("threshold", String.valueOf(settings.bulkReadThreshold()));
        p.put("zone", settings.zone().getId());
        p.put("opening_from", settings.opensAt() == null ? "" : settings.opensAt().toString());
        p.put("opening_to", settings.closesAt() == null ? "" : settings.closesAt().toString());

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("month", month.toString());
        r.put("from", from.toString());
        r.put("to", to.toString());
        r.put("as_of", asOf.toString());
        r.put("time_zone", settings.zone().getId());
        // one snapshot for every figure, read-only
        jdbi.useTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            h.execute("set transaction read only");
            {
                Map<String, Object> completeness = one(h, "kpi-completeness", p);
                completeness.put("missing_per_field", Api.JSON.readTree((String) completeness.get("missing_per_field")));
                completeness.put("share_complete", share(completeness.get("complete"), completeness.get("archives")));
                completeness.put("required_fields", settings.requiredFields());
                r.put("completeness", completeness);

                Map<String, Object> accuracy = one(h, "kpi-accuracy", p);
                long lines = ((Number) accuracy.get("lines")).longValue();
                long bad = ((Number) accuracy.get("rejected")).longValue() + ((Number) accuracy.get("review")).longValue();
                accuracy.put("share_rejected_or_review", share(bad, lines));
                accuracy.put("rejected_share_per_channel", Api.JSON.readTree((String) accuracy.get("rejected_share_per_channel")));
                r.put("accuracy", accuracy);

                Map<String, Object> timeliness = one(h, "kpi-timeliness", p);
                timeliness.put("window_days", settings.staleDays());
                timeliness.put("share_confirmed", share(timeliness.get("confirmed"), timeliness.get("archives")));
                for (String k : List.of("median_hours_to_filing", "median_hours_review_to_filing")) {
                    Object v = timeliness.get(k);
                    timeliness.put(k, v == null ? null : BigDecimal.valueOf(((Number) v).doubleValue()).setScale(3, RoundingMode.HALF_UP));
                }
                r.put("timeliness", timeliness);

                List<Map<String, Object>> people = all(h, "kpi-accesses", p);
                Map<String, Object> accesses = new LinkedHashMap<>();
                accesses.put("bulk_read_threshold", settings.bulkReadThreshold());
                accesses.put("opening_hours", settings.opensAt() == null ? null : settings.opensAt() + "-" + settings.closesAt());
                accesses.put("denied_total", people.stream().mapToLong(m -> ((Number) m.get("denied")).longValue()).sum());
                accesses.put("out_of_policy_total", people.stream().mapToLong(m -> ((Number) m.get("out_of_policy")).longValue()).sum());
                accesses.put("per_person", people);
                r.put("accesses", accesses);

                List<Map<String, Object>> kinds = all(h, "kpi-requests", p);
                Map<String, Object> requests = new LinkedHashMap<>();
                requests.put("open", kinds.stream().mapToLong(m -> ((Number) m.get("open")).longValue()).sum());
                requests.put("overdue", kinds.stream().mapToLong(m -> ((Number) m.get("overdue")).longValue()).sum());
                requests.put("per_kind", kinds);
                r.put("requests", requests);

                r.put("sensitive_without_consent", sensitiveWithoutConsent(h, settings.messages()));
            }
        });
        return r;
    }

    /** Archives holding sensitive data without its consent, when the consents capability's view exists; else null. */
    private static Map<String, Object> sensitiveWithoutConsent(Handle h, dangan.i18n.Messages messages) {
        boolean exists = h.createQuery("""
                        select 1 from information_schema.tables
                         where table_schema = current_schema() and table_name = 'sensitive_without_consent'""")
                .mapTo(Integer.class).findFirst().isPresent();
        if (!exists) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("archives", h.createQuery("select count(distinct customer_id) from sensitive_without_consent").mapTo(Long.class).one());
        m.put("note", messages.text("kpi.as-it-stands"));
        return m;
    }

    /** Writes {@code <yyyy-MM>.json} and {@code .csv} (UTF-8 with BOM, formula-safe cells) under a temporary name, then renames. */
    public Path[] write(YearMonth month, Map<String, Object> report) throws IOException {
        Files.createDirectories(settings.folder());
        Path json = settings.folder().resolve(month + ".json");
        Path csv = settings.folder().resolve(month + ".csv");
        Path jsonPart = settings.folder().resolve("." + month + ".json.part");
        Path csvPart = settings.folder().resolve("." + month + ".csv.part");
        Files.write(jsonPart, Api.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report));
        try (Writer out = Files.newBufferedWriter(csvPart, StandardCharsets.UTF_8)) {
            out.write('\uFEFF');
            KpiText text = new KpiText(settings.messages(), settings.keys());
            CSVPrinter printer = CSVFormat.EXCEL.builder().setHeader(text.headings()).get().print(out);
            for (String[] row : rows(month, Api.JSON.valueToTree(report))) {
                printer.printRecord((Object[]) text.row(row));
            }
            printer.flush();
        }
        Files.move(jsonPart, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(csvPart, csv, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Path[]{json, csv};
    }

    /** The report flattened for a spreadsheet: one measure per line, per field / person / kind where it has one. */
    static List<String[]> rows(YearMonth month, JsonNode r) {
        List<String[]> rows = new ArrayList<>();
        String m = month.toString();
        for (String section : List.of("completeness", "accuracy", "timeliness")) {
            r.get(section).fields().forEachRemaining(e -> {
                if (e.getValue().isObject()) {
                    e.getValue().fields().forEachRemaining(f -> rows.add(row(m, section + "." + e.getKey(), f.getKey(), f.getValue().asText())));
                } else if (e.getValue().isArray()) {
                    List<String> items = new ArrayList<>();
                    e.getValue().forEach(v -> items.add(v.asText()));
                    rows.add(row(m, section + "." + e.getKey(), "", String.join(" ", items)));
                } else {
                    rows.add(row(m, section + "." + e.getKey(), "", e.getValue().isNull() ? "" : e.getValue().asText()));
                }
            });
        }
        JsonNode a = r.get("accesses");
        for (String k : List.of("bulk_read_threshold", "opening_hours", "denied_total", "out_of_policy_total")) {
            rows.add(row(m, "accesses." + k, "", a.get(k).isNull() ? "" : a.get(k).asText()));
        }
        for (JsonNode person : a.get("per_person")) {
            for (String k : List.of("denied", "reads", "bulk_days", "bulk_archives", "after_hours", "out_of_policy")) {
                rows.add(row(m, "accesses." + k, person.get("actor").asText(), person.get(k).asText()));
            }
        }
        JsonNode q = r.get("requests");
        rows.add(row(m, "requests.open", "", q.get("open").asText()));
        rows.add(row(m, "requests.overdue", "", q.get("overdue").asText()));
        for (JsonNode kind : q.get("per_kind")) {
            rows.add(row(m, "requests.open", kind.get("kind").asText(), kind.get("open").asText()));
            rows.add(row(m, "requests.overdue", kind.get("kind").asText(), kind.get("overdue").asText()));
        }
        JsonNode s = r.get("sensitive_without_consent");
        rows.add(row(m, "sensitive_without_consent.archives", "", s == null || s.isNull() ? "" : s.get("archives").asText()));
        return rows;
    }

    private static String[] row(String month, String measure, String subject, String value) {
        return new String[]{month, measure, RejectReport.spreadsheetSafe(subject), RejectReport.spreadsheetSafe(value)};
    }

    private static BigDecimal share(Object part, Object whole) {
        long w = ((Number) whole).longValue();
        if (w == 0) return null;
        return BigDecimal.valueOf(((Number) part).longValue()).divide(BigDecimal.valueOf(w), 4, RoundingMode.HALF_UP);
    }

    private static Map<String, Object> one(Handle h, String script, Map<String, Object> p) {
        return all(h, script, p).get(0);
    }

    /** The rows of a KPI script, each as its columns by name (the scripts name every column). */
    private static List<Map<String, Object>> all(Handle h, String script, Map<String, Object> p) {
        return SqlScript.load(script).query(h, p).map((rs, ctx) -> {
            ResultSetMetaData md = rs.getMetaData();
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), rs.getObject(md.getColumnLabel(i)));
            return row;
        }).list();
    }
}
