package dangan.intake;

import dangan.i18n.Messages;
import org.apache.commons.csv.CSVPrinter;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The check report of one file ({@code outbox/rejects/<file>.check.csv}): what filing it would do, read
 * from the check's staged rows before its transaction is rolled back. UTF-8 with BOM so Excel opens it,
 * in the configured language (bundle area {@code ingest}), four columns — part, line, archive, detail —
 * and three parts: the reconciliation counts (as the real ingest would record them), every heading (which
 * field it was recognised as, kept as an extra attribute, or looking sensitive), and every line (its
 * outcome with each field change {@code 地址: 杭州市… → 苏州市…}, each fact it adds, each reason).
 */
public final class CheckReport {

    /** The staged lines, their outcome and archive, with each field change; issues (rejects, warnings) beside them. */
    private static final String LINES = """
            select line_no, kind, archive_no, field, old_value, new_value, why, facts from (
                select r.line_no, coalesce(r.outcome, 'duplicate') as kind, c.archive_no, x.field, x.old_value, x.new_value,
                       case when x.disposition <> 'apply' then x.why end as why,
                       -- only an update adds facts worth naming: a new line's facts are all new, a duplicate adds none
                       case when r.outcome in ('updated', 'review') and (x.field is null or x.field = first_value(x.field) over w) then concat_ws(',',
                           (select 'visit:' || count(*) from consumption f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0),
                           (select 'preference:' || count(*) from preference f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0),
                           (select 'health:' || count(*) from health_fact f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0),
                           (select 'special_date:' || count(*) from special_date f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0),
                           (select 'lunar_birthday:' || count(*) from lunar_birthday f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0),
                           (select 'companion:' || count(*) from companion f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0),
                           (select 'consent:' || count(*) from consent f where f.source_ingest_id = r.ingest_id and f.source_line = r.line_no having count(*) > 0))
                       end as facts,
                       1 as part
                from intake_row r
                left join customer c on c.id = r.customer_id
                left join intake_change x on x.ingest_id = r.ingest_id and x.line_no = r.line_no
                where r.ingest_id = :ingest
                window w as (partition by r.line_no order by x.field)
                union all
                select i.line_no, i.severity, null, i.column_name, null, i.value_shown, i.reason, null, 0
                from intake_issue i where i.ingest_id = :ingest
            ) l order by line_no, part, field""";

    private CheckReport() {
    }

    /** The file the report of a checked file goes to. */
    public static Path target(Path folder, String fileName) {
        return folder.resolve(fileName + ".check.csv");
    }

    /**
     * Writes the report of a check, on the check's connection inside its transaction (staging still
     * holds the lines). {@code layout} is null when the file could not be read to its headings;
     * {@code notFiled} says why the whole file would not be filed, or is null.
     */
    public static Path write(Handle h, IngestRun run, ColumnMap.Layout layout, String notFiled, Path folder,
                             Messages messages) throws IOException {
        return RejectReport.writeCsv(folder, run.name() + ".check.csv",
                List.of(messages.text("ingest.check.column.part"), messages.text("ingest.check.column.line"),
                        messages.text("ingest.check.column.archive"), messages.text("ingest.check.column.detail")), csv -> {
            String summary = messages.text("ingest.check.part.summary");
            csv.printRecord(summary, "", "", messages.text("ingest.check.intro", "file", run.name(), "channel", run.channel()));
            if (run.isDuplicateFile()) {
                csv.printRecord(summary, "", "", messages.text("ingest.check.duplicate", "earlier", run.duplicateOf()));
            } else if (notFiled != null) {
                csv.printRecord(summary, "", "", messages.text("ingest.check.not-filed", "reason", safe(notFiled)));
            } else {
                csv.printRecord(summary, "", "", messages.text("ingest.check.counts", "read", run.read(), "created", run.created(),
                        "updated", run.updated(), "duplicates", run.duplicates(), "review", run.review(),
                        "rejected", run.rejected(), "warnings", run.warnings()));
            }
            if (layout != null) headings(csv, layout, messages);
            if (!run.isDuplicateFile() && notFiled == null) lines(h, csv, run.id(), messages);
        });
    }

    private static void headings(CSVPrinter csv, ColumnMap.Layout layout, Messages messages) throws IOException {
        String part = messages.text("ingest.check.part.headings");
        Map<Integer, Field> recognised = new TreeMap<>();
        layout.fields().forEach((field, index) -> recognised.put(index, field));
        List<String> headings = layout.headings();
        for (int i = 0; i < headings.size(); i++) {
            String heading = safe(headings.get(i));
            Field field = recognised.get(i);
            String detail;
            if (field != null) {
                detail = messages.text(field.sensitive() ? "ingest.check.heading.sensitive-field" : "ingest.check.heading.field",
                        "heading", heading, "field", fieldName(field.key(), messages));
            } else if (layout.extra().containsKey(i)) {
                detail = messages.text(ColumnMap.looksSensitive(headings.get(i)) ? "ingest.check.heading.looks-sensitive" : "ingest.check.heading.extra",
                        "heading", heading);
            } else {
                detail = messages.text("ingest.check.heading.empty", "column", i + 1);
            }
            csv.printRecord(part, "", "", detail);
        }
    }

    /** A line of the staged outcome as {@link #LINES} reads it: a field change, a fact count, or an issue. */
    private record Line(int lineNo, String kind, String archiveNo, String field, String oldValue, String newValue, String why,
                        String facts) {
    }

    private static void lines(Handle h, CSVPrinter csv, long ingestId, Messages messages) throws IOException {
        String part = messages.text("ingest.check.part.lines");
        Map<String, String> outcomes = new HashMap<>(); // one line of 100,000 formats no pattern it needs not
        try (ResultIterator<Line> lines = h.createQuery(LINES).setFetchSize(5_000).bind("ingest", ingestId)
                .map((rs, ctx) -> new Line(rs.getInt("line_no"), rs.getString("kind"), rs.getString("archive_no"),
                        rs.getString("field"), rs.getString("old_value"), rs.getString("new_value"), rs.getString("why"),
                        rs.getString("facts")))
                .iterator()) {
            while (lines.hasNext()) {
                Line l = lines.next();
                String kind = l.kind();
                String field = l.field();
                String outcome = outcomes.computeIfAbsent(kind, k -> messages.text("ingest.outcome." + k));
                String detail;
                if ("reject".equals(kind) || "warning".equals(kind)) {
                    detail = messages.text("ingest.check.issue", "outcome", outcome, "column", safe(field == null ? "" : field),
                            "value", safe(l.newValue() == null ? "" : l.newValue()), "reason", safe(l.why()));
                } else if (field != null) {
                    String before = l.oldValue();
                    detail = messages.text(before == null ? "ingest.check.change.set" : "ingest.check.change",
                            "outcome", outcome, "field", safe(fieldName(field, messages)),
                            "before", safe(before == null ? "" : before), "after", safe(l.newValue()))
                            + (l.why() == null ? "" : messages.text("ingest.check.change.not-applied", "why", safe(l.why())));
                } else {
                    detail = outcome;
                }
                String facts = l.facts();
                if (facts != null && !facts.isEmpty() && !"new".equals(kind)) {
                    StringBuilder added = new StringBuilder();
                    for (String fact : facts.split(",")) {
                        String[] kv = fact.split(":");
                        if (!added.isEmpty()) added.append(messages.text("ingest.check.separator"));
                        added.append(messages.text("ingest.fact." + kv[0], "count", Integer.parseInt(kv[1])));
                    }
                    detail = detail + messages.text("ingest.check.adds", "facts", added.toString());
                }
                csv.printRecord(l.lineNo(), outcome, l.archiveNo() == null ? "" : l.archiveNo(), detail);
            }
        }
    }

    /** A field of the change register as people read it: {@code 地址}, {@code extra.会员等级} as {@code 会员等级}. */
    static String fieldName(String field, Messages messages) {
        if (field.startsWith("extra.")) return field.substring("extra.".length());
        String key = "ingest.field." + field;
        return messages.has(key) ? messages.text(key) : field;
    }

    private static String safe(String value) {
        return RejectReport.spreadsheetSafe(value);
    }
}
