package dangan.intake;

import org.jdbi.v3.core.Handle;

/**
 * Work that must happen in the same transaction as a merge (tiers of new archives, notification
 * events of changes, the audit entry of the filing): called after the merge of an ingest, before its
 * commit, in the order of their {@link Phase}. The merge's trail — change_log, consumption,
 * preference, health_fact … rows with source_ingest_id = the ingest — tells what changed.
 */
@FunctionalInterface
public interface MergeListener {

    /**
     * When a listener runs: the phases run in this order whatever order the flows register in
     * ({@link ArchiveIntake#onMerged}); listeners of one phase run in the order they registered.
     */
    enum Phase {
        /** New archives get their tier (D-18): what runs after it sees the tier. */
        TIERS,
        /** Notification events of the changes (D-22, D-27): their payload carries the archive's tier. */
        NOTIFICATIONS,
        /** The audit entry of the filing (D-26): last, as it locks the audit chain's head until the merge commits. */
        AUDIT
    }

    /** Runs on the merge's handle, in its transaction. */
    void merged(Handle h, IngestRun run);
}
