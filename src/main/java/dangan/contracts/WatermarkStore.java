package dangan.contracts;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;

/** The watermarks of polled sources, kept in the archive database ({@code source_watermark}). */
final class WatermarkStore {

    private final Jdbi archive;
    private final String source;

    WatermarkStore(DataSource archive, String source) {
        this.archive = Db.jdbi(archive);
        this.source = source;
    }

    /** The stored watermark; the start (1970-01-01) when the source was never polled. */
    Watermark load() {
        return archive.withHandle(h -> {
            h.createUpdate("insert into source_watermark (source, last_seen) values (:source, :start) on conflict (source) do nothing")
                    .bind("source", source).bind("start", utc(Watermark.start().lastSeen())).execute();
            return h.createQuery("select last_seen, seen_at_last from source_watermark where source = :source")
                    .bind("source", source)
                    .map((rs, ctx) -> new Watermark(Timestamp.from(rs.getObject("last_seen", OffsetDateTime.class).toInstant()),
                            Set.of((String[]) rs.getArray("seen_at_last").getArray())))
                    .one();
        });
    }

    /**
     * Moves the watermark from {@code from} to {@code to} on the ingest's handle (in its
     * transaction). Fails when another instance moved it meanwhile, so that poll is rolled back
     * rather than filed twice.
     */
    void advance(Handle h, Watermark from, Watermark to, long ingestId) {
        int moved = h.createUpdate("""
                        update source_watermark set last_seen = :to, seen_at_last = :seenTo, ingest_id = :ingest,
                               advanced_at = clock_timestamp()
                        where source = :source and last_seen = :from and seen_at_last = :seenFrom""")
                .bind("to", utc(to.lastSeen())).bind("seenTo", sorted(to.seenAtLast())).bind("ingest", ingestId)
                .bind("source", source).bind("from", utc(from.lastSeen())).bind("seenFrom", sorted(from.seenAtLast()))
                .execute();
        if (moved != 1) {
            throw new IllegalStateException("the " + source + " watermark was moved by another Dangan instance polling"
                    + " the same database at the same time; this poll is rolled back and the next one reads its rows again");
        }
    }

    private static String[] sorted(Set<String> values) {
        return new TreeSet<>(values).toArray(String[]::new);
    }

    private static OffsetDateTime utc(Timestamp t) {
        return t.toInstant().atOffset(ZoneOffset.UTC);
    }

    static String describe(Watermark w) {
        return w.lastSeen().toInstant() + (w.seenAtLast().isEmpty() ? "" : " (" + w.seenAtLast().size() + " rows at that time)");
    }
}
