package dangan.archive;

import org.jdbi.v3.core.Handle;

/**
 * The archive lock: one transaction at a time adds to or takes from the archive as a whole (the
 * merge of an ingest, the destruction of archives). A PostgreSQL transaction-level advisory lock,
 * so it holds across instances and ends with the transaction that took it.
 * <p>
 * Every other transaction that writes {@code customer} takes it first as well — the review queue's accept and
 * filing, a correction and a correction conflict's resolution, a tier proposal's approval, an unsealing — so no
 * archive changes between a merge's read of it and its update: the merge decides each field and registers its old
 * value from the read it updates by ({@code ArchiveWritersLockTest}).
 */
public final class ArchiveLock {

    private static final String TAKE = "select 1 from pg_advisory_xact_lock(hashtext('dangan.archive.merge'))";

    private ArchiveLock() {
    }

    /** Waits for the lock and holds it until the handle's transaction ends. */
    public static void hold(Handle h) {
        h.createQuery(TAKE).mapTo(Integer.class).one();
    }
}
