package dangan.intake;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work that must happen in the same transaction as a merge (tiers of new archives, notification
 * events of changes): called after the merge of an ingest, before its commit. The merge's trail —
 * change_log, consumption, preference, health_fact … rows with source_ingest_id = the ingest —
 * tells what changed.
 */
@FunctionalInterface
public interface MergeListener {
    void merged(Connection connection, IngestRun run) throws SQLException;
}
