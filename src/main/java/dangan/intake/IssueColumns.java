package dangan.intake;

import dangan.i18n.Messages;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;

/**
 * The column a merge warning names, as the file named it. The merge's SQL knows a column only by its field
 * ({@code email}, {@code health:allergy}, {@code extra.会员等级}); the file's headings are known at staging. Once the
 * merge has written its warnings, each field is replaced by the file's own heading ({@code 电子邮箱}), or — for a
 * field the file had no column of — by the field's name in the configured language ({@code ingest.field.email}:
 * 邮箱), so the reject report, the check report, a reply mail and {@code GET /api/ingests/{id}} name the column as
 * the rows the reader rejected do.
 */
final class IssueColumns {

    /** The distinct fields named by this ingest's merge warnings (a key said by MergeTexts; rows from a reader have none). */
    private static final String FIELDS = """
            select distinct column_name from intake_issue
            where ingest_id = :ingest and reason_key is not null and column_name is not null""";
    private static final String RENAME = """
            update intake_issue i set column_name = c.shown
            from unnest(:fields, :shown) c(field, shown)
            where i.ingest_id = :ingest and i.reason_key is not null and i.column_name = c.field""";

    private IssueColumns() {
    }

    /** Names the columns of the ingest's merge warnings as {@code layout} (the file's headings) does; returns how many fields. */
    static int name(Handle h, long ingestId, ColumnMap.Layout layout, Messages messages) {
        List<String> fields = h.createQuery(FIELDS).bind("ingest", ingestId).mapTo(String.class).list();
        if (fields.isEmpty()) return 0;
        List<String> shown = new ArrayList<>(fields.size());
        for (String field : fields) shown.add(heading(field, layout, messages));
        h.createUpdate(RENAME).bind("ingest", ingestId)
                .bind("fields", fields.toArray(String[]::new)).bind("shown", shown.toArray(String[]::new))
                .execute();
        return fields.size();
    }

    /** A field of the merge as the file named its column, else as people name the field. */
    static String heading(String field, ColumnMap.Layout layout, Messages messages) {
        if (field.startsWith("extra.")) return field.substring("extra.".length()); // an extra attribute is keyed by its heading
        String key = switch (field) {
            case "health:allergy" -> Field.ALLERGIES.key();
            case "health:note" -> Field.HEALTH.key();
            default -> field;
        };
        Field known = known(key);
        if (known != null && layout != null && layout.has(known)) return layout.heading(known);
        return CheckReport.fieldName(key, messages);
    }

    private static Field known(String key) {
        for (Field f : Field.values()) {
            if (f.key().equals(key)) return f;
        }
        return null;
    }
}
