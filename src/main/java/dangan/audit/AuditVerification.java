package dangan.audit;

import dangan.i18n.Localized;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Walks the audit chain from the first entry and names the first one that was altered, removed or
 * inserted (D-26): a hash that does not match the entry's content under the audit key, a link that
 * does not match the entry before, a gap in the ids, an unkeyed entry after the keyed chain began,
 * a head that points past the last entry — and, given the checkpoints kept outside the database, an
 * entry that differs from its checkpoint or a tail cut off below the last checkpoint.
 */
public final class AuditVerification {

    /**
     * The outcome: {@code why == null} when every entry checks out, else why not, said in the reader's language
     * (bundle area {@code chain}); {@code keyedFrom} the first keyed entry (null: none yet).
     */
    public record Result(long entries, Long brokenAt, Localized why, Long keyedFrom) {
        public boolean intact() {
            return why == null;
        }

        /** Why the chain is broken, in English (logs), or null when it is intact. */
        public String broken() {
            return why == null ? null : why.english();
        }
    }


    private final Jdbi jdbi;
    private final AuditKey key;

    AuditVerification(Jdbi jdbi, AuditKey key) {
        this.jdbi = jdbi;
        this.key = key;
    }

    /** Reads the chain in one repeatable-read snapshot, streamed, and changes nothing. */
    Result verify(AuditCheckpoints checkpoints) {
        Map<Long, AuditCheckpoints.Checkpoint> seen = new HashMap<>();
        AuditCheckpoints.Checkpoint latest = null;
        try {
            List<AuditCheckpoints.Checkpoint> all = checkpoints == null ? List.of() : checkpoints.read();
            for (AuditCheckpoints.Checkpoint c : all) {
                seen.putIfAbsent(c.id(), c);
                if (latest == null || c.id() > latest.id()) latest = c;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AuditCheckpoints.Checkpoint highest = latest;
        return jdbi.withHandle(h -> h.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, t -> walk(t, seen, highest)));
    }

    private Result walk(Handle h, Map<Long, AuditCheckpoints.Checkpoint> checkpoints,
                                     AuditCheckpoints.Checkpoint highest) {
        long expectedId = 1;
        byte[] expectedPrev = new byte[32];
        Long keyedFrom = null;
        boolean lastKeyed = true;
        record Row(AuditTrail.Stored entry, byte[] hash) {
        }
        try (Stream<Row> rows = h.createQuery("select * from audit_log order by id").setFetchSize(5_000)
                .map((rs, ctx) -> new Row(AuditTrail.Stored.from(rs), rs.getBytes("hash"))).stream()) {
            for (Row row : (Iterable<Row>) rows::iterator) {
                AuditTrail.Stored entry = row.entry();
                if (entry.id() != expectedId) {
                    return broken(expectedId - 1, expectedId, keyedFrom, entry.id() > expectedId
                            ? Localized.of("chain.gap", "count", entry.id() - expectedId, "first", expectedId, "last", entry.id() - 1,
                                    "before", expectedId - 1, "after", entry.id())
                            : Localized.of("chain.out-of-order", "id", entry.id(), "before", expectedId - 1));
                }
                if (!Arrays.equals(entry.prevHash(), expectedPrev)) {
                    return broken(expectedId - 1, entry.id(), keyedFrom, Localized.of("chain.unlinked", "id", entry.id(),
                            "before", entry.id() - 1));
                }
                if (entry.keyed() && keyedFrom == null) keyedFrom = entry.id();
                if (!entry.keyed() && keyedFrom != null) {
                    return broken(expectedId - 1, entry.id(), keyedFrom, Localized.of("chain.unkeyed", "id", entry.id(), "from", keyedFrom));
                }
                byte[] hash = entry.hash(key);
                if (!Arrays.equals(hash, row.hash())) {
                    return broken(expectedId - 1, entry.id(), keyedFrom, Localized.of("chain.altered", "id", entry.id(),
                            "keyed", entry.keyed() ? "yes" : "no"));
                }
                AuditCheckpoints.Checkpoint c = checkpoints.get(entry.id());
                if (c != null && !Arrays.equals(c.hash(), hash)) {
                    return broken(expectedId - 1, entry.id(), keyedFrom, Localized.of("chain.checkpoint", "id", entry.id(),
                            "at", c.at().toString()));
                }
                lastKeyed = entry.keyed();
                expectedPrev = hash;
                expectedId++;
            }
        }
        long last = expectedId - 1;
        if (!lastKeyed) {
            return broken(last, last, keyedFrom, Localized.of("chain.unkeyed-end"));
        }
        record Head(long lastId, byte[] lastHash) {
        }
        Optional<Head> head = h.createQuery("select last_id, last_hash from audit_head")
                .map((rs, ctx) -> new Head(rs.getLong("last_id"), rs.getBytes("last_hash"))).findFirst();
        if (head.isEmpty()) return broken(last, last + 1, keyedFrom, Localized.of("chain.no-head"));
        if (head.get().lastId() != last || !Arrays.equals(head.get().lastHash(), expectedPrev)) {
            return broken(last, last + 1, keyedFrom, head.get().lastId() > last
                    ? Localized.of("chain.cut", "first", last + 1, "last", head.get().lastId())
                    : Localized.of("chain.head-differs", "id", last));
        }
        if (highest != null && highest.id() > last) {
            return broken(last, last + 1, keyedFrom, Localized.of("chain.cut-checkpoint", "first", last + 1, "last", highest.id(),
                    "at", highest.at().toString()));
        }
        return new Result(last, null, null, keyedFrom);
    }

    private static Result broken(long intactEntries, long at, Long keyedFrom, Localized why) {
        return new Result(intactEntries, at, why, keyedFrom);
    }
}
