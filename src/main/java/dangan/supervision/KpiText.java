package dangan.supervision;

import dangan.i18n.Messages;
import dangan.intake.RejectReport;

import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How the KPI CSV reads for people: headings ({@code 月份, 指标, 对象, 数值}), the month as {@code 2026年11月},
 * each measure by its name ({@code 档案完整性：完整档案占比}), fields, request kinds and channels by theirs
 * (bundle area {@code kpi}); values stay numbers. With {@code dangan.feeds.headings=keys} the codes as the
 * JSON has them.
 */
final class KpiText {

    private final Messages m;
    private final boolean keys;

    KpiText(Messages messages, boolean keys) {
        this.m = messages;
        this.keys = keys;
    }

    String[] headings() {
        String[] columns = {"month", "measure", "subject", "value"};
        if (keys) return columns;
        return Arrays.stream(columns).map(c -> m.text("kpi.column." + c)).toArray(String[]::new);
    }

    /** A row of {@link KpiReport#rows}, as people read it. */
    String[] row(String[] row) {
        if (keys) return row;
        String measure = row[1];
        String subject = row[2];
        String value = row[3];
        if (measure.endsWith(".required_fields")) {
            value = Arrays.stream(value.split(" ")).filter(v -> !v.isEmpty()).map(this::field)
                    .collect(Collectors.joining(m.text("kpi.separator")));
        }
        return new String[]{month(YearMonth.parse(row[0])), named("kpi.measure." + measure, measure),
                RejectReport.spreadsheetSafe(subject(measure, subject)), value};
    }

    /** A month as people read it: {@code kpi.month} is a java.time pattern ({@code yyyy年M月}, {@code yyyy-MM}). */
    private String month(YearMonth month) {
        return DateTimeFormatter.ofPattern(m.pattern("kpi.month"), m.language().locale()).format(month);
    }

    private String subject(String measure, String subject) {
        if (subject == null || subject.isEmpty()) return subject;
        if (measure.endsWith(".missing_per_field")) return field(subject);
        if (measure.startsWith("requests.")) return named("kpi.kind." + subject, subject);
        if (measure.endsWith("_per_channel")) return named("kpi.channel." + subject, subject);
        return subject; // a person's name
    }

    private String field(String field) {
        return named("ingest.field." + field, field);
    }

    private String named(String key, String fallback) {
        return m.has(key) ? m.text(key) : fallback;
    }
}
