package dangan.archive;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.List;

/**
 * The change register (D-27): who changed which field of an archive, from what to what, why, and
 * from which source (a file line, a request). Rows are written in the caller's transaction, with the
 * change they describe. The set-based paths (the merge, the tier review) write theirs in their SQL.
 */
public final class ChangeLog {

    /**
     * One change. {@code oldValue} is masked for sensitive fields; {@code source} names a request or
     * decision; {@code sourceIngestId}/{@code sourceLine} the input line it came from.
     */
    public record Change(long customerId, String field, String oldValue, String newValue, String changedBy,
                         String reason, String source, Long sourceIngestId, Integer sourceLine) {

        public static Change of(long customerId, String field, String oldValue, String newValue, String changedBy,
                                String reason) {
            return new Change(customerId, field, oldValue, newValue, changedBy, reason, null, null, null);
        }

        public Change from(String source) {
            return new Change(customerId, field, oldValue, newValue, changedBy, reason, source, sourceIngestId, sourceLine);
        }

        public Change fromLine(long ingestId, int line) {
            return new Change(customerId, field, oldValue, newValue, changedBy, reason, source, ingestId, line);
        }
    }

    private static final String INSERT = """
            insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source,
                                    source_ingest_id, source_line)
            values (:customerId, :field, :oldValue, :newValue, :changedBy, :reason, :source, :sourceIngestId, :sourceLine)""";

    private ChangeLog() {
    }

    public static void write(Handle h, Change change) {
        write(h, List.of(change));
    }

    public static void write(Handle h, List<Change> changes) {
        if (changes.isEmpty()) return;
        PreparedBatch batch = h.prepareBatch(INSERT);
        for (Change ch : changes) {
            batch.bind("customerId", ch.customerId()).bind("field", ch.field()).bind("oldValue", ch.oldValue())
                    .bind("newValue", ch.newValue()).bind("changedBy", ch.changedBy()).bind("reason", ch.reason())
                    .bind("source", ch.source()).bind("sourceIngestId", ch.sourceIngestId())
                    .bind("sourceLine", ch.sourceLine()).add();
        }
        batch.execute();
    }
}
