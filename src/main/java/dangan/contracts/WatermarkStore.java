package dangan.contracts;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;

/** The watermarks of polled sources, kept in the archive database ({@code source_watermark}). */
final class WatermarkStore {

    private final DataSource archive;
    private final String source;

    WatermarkStore(DataSource archive, String source) {
        this.archive = archive;
        this.source = source;
    }

    /** The stored watermark; the start (1970-01-01) when the source was never polled. */
    Watermark load() throws SQLException {
        try (Connection c = archive.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into source_watermark (source, last_seen) values (?, ?) on conflict (source) do nothing")) {
                ps.setString(1, source);
                ps.setObject(2, utc(Watermark.start().lastSeen()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "select last_seen, seen_at_last from source_watermark where source = ?")) {
                ps.setString(1, source);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Timestamp lastSeen = Timestamp.from(rs.getObject(1, OffsetDateTime.class).toInstant());
                    String[] seen = (String[]) rs.getArray(2).getArray();
                    return new Watermark(lastSeen, Set.of(seen));
                }
            }
        }
    }

    /**
     * Moves the watermark from {@code from} to {@code to} on the ingest's connection (its
     * transaction). Fails when another instance moved it meanwhile, so that poll is rolled back
     * rather than filed twice.
     */
    void advance(Connection c, Watermark from, Watermark to, long ingestId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update source_watermark set last_seen = ?, seen_at_last = ?, ingest_id = ?, advanced_at = clock_timestamp()
                where source = ? and last_seen = ? and seen_at_last = ?""")) {
            ps.setObject(1, utc(to.lastSeen()));
            ps.setArray(2, array(c, to.seenAtLast()));
            ps.setLong(3, ingestId);
            ps.setString(4, source);
            ps.setObject(5, utc(from.lastSeen()));
            ps.setArray(6, array(c, from.seenAtLast()));
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("the " + source + " watermark was moved by another Dangan instance polling"
                        + " the same database at the same time; this poll is rolled back and the next one reads its rows again");
            }
        }
    }

    private static Array array(Connection c, Set<String> values) throws SQLException {
        return c.createArrayOf("text", new TreeSet<>(values).toArray(String[]::new));
    }

    private static OffsetDateTime utc(Timestamp t) {
        return t.toInstant().atOffset(ZoneOffset.UTC);
    }

    static String describe(Watermark w) {
        return w.lastSeen().toInstant() + (w.seenAtLast().isEmpty() ? "" : " (" + w.seenAtLast().size() + " rows at that time)");
    }
}
