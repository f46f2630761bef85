package dangan.intake;

import dangan.i18n.Messages;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The report of a revert ({@code outbox/rejects/<file>.revert-<id>.csv}, UTF-8 with BOM, in the configured
 * language): the counts, each archive removed, and each thing left as it was with the reason — archive,
 * what, detail. Archive numbers and field names only, never values.
 */
public final class RevertReport {

    private RevertReport() {
    }

    /** The rows of the report: archive, what, detail; the first is the summary. */
    public static List<List<String>> rows(IngestRevert.Result r, Messages messages) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("", "", messages.text("ingest.revert.summary", "id", r.ingestId(), "file", r.source(), "by", r.by(),
                "archives", r.archivesRemoved(), "fields", r.fieldsRestored(), "facts", r.factsRemoved(),
                "reviews", r.reviewsWithdrawn(), "notifications", r.notificationsWithdrawn(), "exceptions", r.exceptions().size())));
        for (String archive : r.removed()) rows.add(List.of(archive, messages.text("ingest.revert.removed"), ""));
        for (IngestRevert.NotUndone n : r.exceptions()) {
            String what = n.what().startsWith("ingest.") ? messages.text(n.what()) : CheckReport.fieldName(n.what(), messages);
            rows.add(List.of(n.archiveNo() == null ? "" : n.archiveNo(), what, messages.text(n.reason())));
        }
        return rows;
    }

    public static Path write(IngestRevert.Result r, Path folder, Messages messages) throws IOException {
        String name = r.source().replaceAll("[/\\\\:]", "_") + ".revert-" + r.ingestId() + ".csv";
        return RejectReport.writeCsv(folder, name, List.of(messages.text("ingest.revert.column.archive"),
                messages.text("ingest.revert.column.what"), messages.text("ingest.revert.column.detail")), csv -> {
            for (List<String> row : rows(r, messages)) {
                csv.printRecord(row.stream().map(RejectReport::spreadsheetSafe).toList());
            }
        });
    }
}
