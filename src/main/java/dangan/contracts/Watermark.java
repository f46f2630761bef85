package dangan.contracts;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * How far a source has been read: the greatest {@code updated_at} filed ({@link #lastSeen}) and
 * the fingerprints of the rows filed with exactly that timestamp. The query asks for
 * {@code updated_at >= lastSeen}; rows at {@code lastSeen} whose fingerprint is known are skipped,
 * so a row that arrives later with the same timestamp is read, and none is read twice.
 */
public record Watermark(Timestamp lastSeen, Set<String> seenAtLast) {

    /** Before the first poll: everything since 1970-01-01. */
    public static Watermark start() {
        return new Watermark(Timestamp.from(Instant.EPOCH), Set.of());
    }

    public Watermark {
        seenAtLast = Set.copyOf(seenAtLast);
    }

    /** True when this row was filed by an earlier poll. */
    public boolean alreadyFiled(Timestamp updatedAt, String fingerprint) {
        return updatedAt != null && updatedAt.equals(lastSeen) && seenAtLast.contains(fingerprint);
    }

    /** Collects the rows of one poll and gives the watermark to store when they are filed. */
    static final class Advance {
        private Timestamp lastSeen;
        private Set<String> seenAtLast;

        Advance(Watermark from) {
            this.lastSeen = from.lastSeen();
            this.seenAtLast = new HashSet<>(from.seenAtLast());
        }

        void saw(Timestamp updatedAt, String fingerprint) {
            if (updatedAt == null) return;
            int order = updatedAt.compareTo(lastSeen);
            if (order > 0) {
                lastSeen = updatedAt;
                seenAtLast = new HashSet<>();
            }
            if (order >= 0) seenAtLast.add(fingerprint);
        }

        Watermark result() {
            return new Watermark(lastSeen, seenAtLast);
        }
    }
}
