package dangan.archive;

import org.jdbi.v3.core.Handle;

/**
 * The archive lock: one transaction at a time adds to or takes from the archive as a whole (the
 * merge of an ingest, the destruction of archives). A PostgreSQL transaction-level advisory lock,
 * so it holds across instances and ends with the transaction that took it.
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
