package dangan.intake;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** The per-file ingest records: what arrived (name, checksum, size), when, and what became of it. */
public final class IngestLedger {

    private final DataSource dataSource;

    public IngestLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The earlier successful ingest of the same content on a channel, as "name (time)", or null. */
    public String findDone(String channel, String checksum) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select source_name || ' (ingested ' || to_char(finished_at, 'YYYY-MM-DD HH24:MI') || ')'
                     from ingest where channel = ? and checksum = ? and status = 'done'""")) {
            ps.setString(1, channel);
            ps.setString(2, checksum);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Opens an entry; a duplicate of earlier content is recorded as such, already finished. */
    public long open(String sourceType, String channel, String name, String checksum, long size, boolean duplicate)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into ingest (source_type, channel, source_name, checksum, size_bytes, status, duplicate_of, finished_at)
                     values (?, ?, ?, ?, ?, ?,
                             case when ? then (select id from ingest where channel = ? and checksum = ? and status = 'done') end,
                             case when ? then now() end)
                     returning id""")) {
            ps.setString(1, sourceType);
            ps.setString(2, channel);
            ps.setString(3, name);
            ps.setString(4, checksum);
            ps.setLong(5, size);
            ps.setString(6, duplicate ? "duplicate" : "running");
            ps.setBoolean(7, duplicate);
            ps.setString(8, channel);
            ps.setString(9, checksum);
            ps.setBoolean(10, duplicate);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Opens an entry for a check, on the check's own connection: it exists only inside the check's
     * transaction, which is rolled back, so a check leaves no trace in the ledger.
     */
    static long openChecking(Connection c, String channel, String name, String checksum, long size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into ingest (source_type, channel, source_name, checksum, size_bytes, status)
                values ('file', ?, ?, ?, ?, 'running') returning id""")) {
            ps.setString(1, channel);
            ps.setString(2, name);
            ps.setString(3, checksum);
            ps.setLong(4, size);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Closes an entry as done with its counts, on the ingest's own connection (same transaction as the merge). */
    public static void finish(Connection c, IngestRun run, String[] extraColumns) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update ingest set status = 'done', format = ?, rows_total = ?, rows_new = ?, rows_updated = ?,
                       rows_duplicate = ?, rows_review = ?, rows_rejected = ?, warnings = ?, extra_columns = ?,
                       finished_at = clock_timestamp()
                where id = ?""")) {
            ps.setString(1, run.format());
            ps.setInt(2, run.read());
            ps.setInt(3, run.created());
            ps.setInt(4, run.updated());
            ps.setInt(5, run.duplicates());
            ps.setInt(6, run.review());
            ps.setInt(7, run.rejected());
            ps.setInt(8, run.warnings());
            if (extraColumns.length == 0) {
                ps.setNull(9, Types.ARRAY);
            } else {
                ps.setArray(9, c.createArrayOf("text", extraColumns));
            }
            ps.setLong(10, run.id());
            ps.executeUpdate();
        }
    }

    /** Marks an entry failed with the reason a person will read. */
    public void fail(long ingestId, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "update ingest set status = 'failed', error = ?, finished_at = clock_timestamp() where id = ?")) {
            ps.setString(1, error);
            ps.setLong(2, ingestId);
            ps.executeUpdate();
        }
    }
}
