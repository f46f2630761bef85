package dangan.intake;

import dangan.i18n.Messages;
import dangan.normalise.InvalidValueException;
import dangan.normalise.MobileNumber;
import dangan.normalise.Text;
import dangan.privacy.SensitiveFields;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the files that name existing archives share — visits ({@code inbox/visits}) and consents
 * ({@code inbox/consents}): each line names its archive by archive number or mobile, is checked in Java,
 * staged in a temporary table of the caller's with the columns {@code line_no, archive_no, mobile,
 * customer_id, problem}, matched here, and its problems written as the file's rejects (or warnings).
 */
public final class ArchiveLines {

    private ArchiveLines() {
    }

    /** One problem of a line: where (line, column), the value shown, and why, already said in the reader's language. */
    public record Problem(int line, String column, String value, String reason) {
    }

    /**
     * Reads the heading row of such a file into {@code at} (column → index), each heading looked up (lower case) in
     * {@code headings}; refuses the file ({@code <area>.file.unknown-column}, {@code .repeated-column},
     * {@code .lacks}) when a heading is unknown or repeated, when neither archive_no nor mobile is there, or when
     * one of {@code required} is missing.
     */
    public static void columns(List<String> columns, Map<String, String> headings, List<String> required, String area,
                               Map<String, Integer> at) {
        for (int i = 0; i < columns.size(); i++) {
            String h = Text.clean(columns.get(i));
            if (h == null || h.isEmpty()) continue;
            String column = headings.get(h.toLowerCase(Locale.ROOT));
            if (column == null) throw FileRejectedException.of(area + ".file.unknown-column", "column", i + 1);
            if (at.putIfAbsent(column, i) != null) {
                throw FileRejectedException.of(area + ".file.repeated-column", "column", i + 1, "name", column);
            }
        }
        List<String> missing = new ArrayList<>();
        if (!at.containsKey("archive_no") && !at.containsKey("mobile")) missing.add("archive_no / mobile");
        for (String column : required) if (!at.containsKey(column)) missing.add(column);
        if (!missing.isEmpty()) {
            throw FileRejectedException.of(area + ".file.lacks", "missing", String.join(", ", missing), "columns", columns.size());
        }
    }

    /** The archive a line names: its archive number and its mobile (digits), either may be null. */
    public record Named(String archiveNo, String mobile) {
    }

    /**
     * The archive number and mobile of a line ({@code archive_no}, {@code mobile} in {@code at}); a mobile that is
     * not one, or neither given, is added to {@code problems}.
     */
    public static Named named(int lineNo, List<String> cells, Map<String, Integer> at, Messages m, List<Problem> problems) {
        String archiveNo = cell(cells, at.get("archive_no"));
        String mobileText = cell(cells, at.get("mobile"));
        String mobile = null;
        if (mobileText != null) {
            try {
                mobile = MobileNumber.parse(mobileText).digits();
            } catch (InvalidValueException e) {
                problems.add(new Problem(lineNo, "mobile", mobileText, e.reason(m)));
            }
        }
        if (archiveNo == null && mobileText == null) {
            problems.add(new Problem(lineNo, "archive_no/mobile", "", m.text("intake.line.no-archive")));
        }
        return new Named(archiveNo, mobile);
    }

    /** The cleaned text of a cell, or null when the column is absent or the cell blank. */
    public static String cell(List<String> cells, Integer index) {
        if (index == null || index >= cells.size()) return null;
        String v = Text.clean(cells.get(index));
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * Finds the archive each staged line names ({@code customer_id}) and marks the lines that name none, two
     * different ones, or a sealed archive (D-32) with their {@code problem}: {@code no-number}, {@code no-mobile},
     * {@code different}, {@code sealed}. {@code table} is the caller's own temporary table, never input.
     */
    public static void match(Handle h, String table) {
        h.execute("""
                update %1$s v set customer_id = coalesce(a.id, m.id),
                    problem = case
                        when v.archive_no is not null and a.id is null then 'no-number'
                        when v.archive_no is null and m.id is null then 'no-mobile'
                        when a.id is not null and m.id is not null and a.id <> m.id then 'different'
                        when coalesce(a.sealed_at, m.sealed_at) is not null or coalesce(a.status, m.status) = 'sealed' then 'sealed'
                    end
                from %1$s x
                left join customer a on a.archive_no = x.archive_no
                left join customer m on m.mobile = x.mobile
                where x.line_no = v.line_no""".formatted(table));
    }

    /** The staged lines {@link #match} found no archive for (or a sealed one), each said by {@code intake.line.<problem>}. */
    public static List<Problem> unmatched(Handle h, String table, Messages m) {
        return h.createQuery("select line_no, archive_no, mobile, problem from " + table + " where problem is not null order by line_no")
                .map((rs, ctx) -> {
                    String number = rs.getString("archive_no");
                    String mobile = rs.getString("mobile");
                    return new Problem(rs.getInt("line_no"), number != null ? "archive_no" : "mobile", number != null ? number : mobile,
                            m.text("intake.line." + rs.getString("problem"), "number", String.valueOf(number),
                                    "mobile", String.valueOf(mobile)));
                })
                .list();
    }

    /** Writes the problems as the ingest's issues ({@code reject} or {@code warning}), each with its raw line encrypted. */
    public static void issues(Handle h, long ingestId, List<Problem> problems, String severity, Map<Integer, String> raw,
                              SensitiveFields sensitive) {
        PreparedBatch batch = h.prepareBatch("""
                insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity, raw_enc)
                values (:ingest, :line, :column, :value, :reason, :severity, :raw)""");
        for (Problem p : problems) {
            String line = raw.get(p.line());
            batch.bind("ingest", ingestId).bind("line", p.line()).bind("column", p.column()).bind("value", p.value())
                    .bind("reason", p.reason()).bind("severity", severity)
                    .bind("raw", line == null ? null : sensitive.encrypt(line)).add();
        }
        if (batch.size() > 0) batch.execute();
    }
}
