package dangan.intake;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;

/** The per-file ingest records: what arrived (name, checksum, size), when, and what became of it. */
public final class IngestLedger {

    private final DataSource dataSource;

    public IngestLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private Jdbi jdbi() {
        return Db.jdbi(dataSource);
    }

    /** The earlier successful ingest of the same content on a channel, as "name (time)", or null. */
    public String findDone(String channel, String checksum) {
        return jdbi().withHandle(h -> h.createQuery("""
                        select source_name || ' (ingested ' || to_char(finished_at, 'YYYY-MM-DD HH24:MI') || ')'
                        from ingest where channel = :channel and checksum = :checksum and status = 'done'""")
                .bind("channel", channel).bind("checksum", checksum)
                .mapTo(String.class).findOne().orElse(null));
    }

    /** Opens an entry; a duplicate of earlier content is recorded as such, already finished. */
    public long open(String sourceType, String channel, String name, String checksum, long size, boolean duplicate) {
        return jdbi().withHandle(h -> h.createQuery("""
                        insert into ingest (source_type, channel, source_name, checksum, size_bytes, status, duplicate_of, finished_at)
                        values (:type, :channel, :name, :checksum, :size, :status,
                                case when :duplicate then (select id from ingest
                                                           where channel = :channel and checksum = :checksum and status = 'done') end,
                                case when :duplicate then now() end)
                        returning id""")
                .bind("type", sourceType).bind("channel", channel).bind("name", name).bind("checksum", checksum)
                .bind("size", size).bind("status", duplicate ? "duplicate" : "running").bind("duplicate", duplicate)
                .mapTo(Long.class).one());
    }

    /**
     * Opens an entry for a check, in the check's transaction: it exists only inside it, and it is rolled
     * back, so a check leaves no trace in the ledger.
     */
    static long openChecking(Handle h, String channel, String name, String checksum, long size) {
        return h.createQuery("""
                        insert into ingest (source_type, channel, source_name, checksum, size_bytes, status)
                        values ('file', :channel, :name, :checksum, :size, 'running') returning id""")
                .bind("channel", channel).bind("name", name).bind("checksum", checksum).bind("size", size)
                .mapTo(Long.class).one();
    }

    /** Closes an entry as done with its counts, in the ingest's transaction (with the merge). */
    public static void finish(Handle h, IngestRun run, String[] extraColumns) {
        h.createUpdate("""
                        update ingest set status = 'done', format = :format, rows_total = :read, rows_new = :created,
                               rows_updated = :updated, rows_duplicate = :duplicates, rows_review = :review,
                               rows_rejected = :rejected, warnings = :warnings, extra_columns = :extra,
                               report_pending = :report, finished_at = clock_timestamp()
                        where id = :id""")
                .bind("format", run.format()).bind("read", run.read()).bind("created", run.created())
                .bind("updated", run.updated()).bind("duplicates", run.duplicates()).bind("review", run.review())
                .bind("rejected", run.rejected()).bind("warnings", run.warnings())
                .bind("extra", extraColumns.length == 0 ? null : extraColumns)
                .bind("report", run.reportDue())
                .bind("id", run.id())
                .execute();
    }

    /**
     * Closes as interrupted, with the reason a person will read, the entry of an attempt the database or
     * the disk cut off, and any earlier attempt of this instance at the same content on the channel that
     * could not be closed then (the database was away): the file is tried again under a new entry.
     */
    public void interrupt(long ingestId, String reason) {
        jdbi().useHandle(h -> h.createUpdate("""
                        update ingest set status = 'interrupted', error = :error, finished_at = clock_timestamp()
                        where status = 'running' and (id = :id or (instance = current_setting('application_name', true)
                              and (channel, checksum) = (select channel, checksum from ingest where id = :id)))""")
                .bind("error", reason).bind("id", ingestId).execute());
    }

    /**
     * Closes as interrupted this instance's earlier attempts at the same content on the channel still
     * marked running: an attempt the database cut off while it was away could not be closed then, and
     * this instance takes one file of a folder at a time, so such an attempt is over.
     */
    public void closeAbandoned(String channel, String checksum, String reason) {
        jdbi().useHandle(h -> h.createUpdate("""
                        update ingest set status = 'interrupted', error = :error, finished_at = clock_timestamp()
                        where status = 'running' and channel = :channel and checksum = :checksum
                          and instance = current_setting('application_name', true)""")
                .bind("error", reason).bind("channel", channel).bind("checksum", checksum).execute());
    }

    /** Marks an entry failed with the reason a person will read. */
    public void fail(long ingestId, String error) {
        jdbi().useHandle(h -> h.createUpdate(
                        "update ingest set status = 'failed', error = :error, finished_at = clock_timestamp() where id = :id")
                .bind("error", error).bind("id", ingestId).execute());
    }
}
