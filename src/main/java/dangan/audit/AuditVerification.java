package dangan.audit;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import javax.sql.DataSource;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Walks the audit chain from the first entry and names the first one that was altered, removed or
 * inserted (D-26): a hash that does not match the entry's content, a link that does not match the
 * entry before, a gap in the ids, or a head that points past the last entry.
 */
public final class AuditVerification {

    /** The outcome: {@code broken == null} when every entry checks out. */
    public record Result(long entries, Long brokenAt, String broken) {
        public boolean intact() {
            return broken == null;
        }
    }

    private final Jdbi jdbi;

    public AuditVerification(DataSource dataSource) {
        this.jdbi = Db.jdbi(dataSource);
    }

    /** Reads the chain in one repeatable-read snapshot, streamed, and changes nothing. */
    public Result verify() {
        return jdbi.withHandle(h -> h.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, AuditVerification::walk));
    }

    private static Result walk(Handle h) {
        long expectedId = 1;
        byte[] expectedPrev = new byte[32];
        record Row(AuditTrail.Stored entry, byte[] hash) {
        }
        try (Stream<Row> rows = h.createQuery("select * from audit_log order by id").setFetchSize(5_000)
                .map((rs, ctx) -> new Row(AuditTrail.Stored.from(rs), rs.getBytes("hash"))).stream()) {
            for (Row row : (Iterable<Row>) rows::iterator) {
                AuditTrail.Stored entry = row.entry();
                if (entry.id() != expectedId) {
                    return new Result(expectedId - 1, expectedId, entry.id() > expectedId
                            ? "entry " + expectedId + (entry.id() - expectedId > 1 ? "…" + (entry.id() - 1) : "")
                              + " is missing (the log goes from " + (expectedId - 1) + " to " + entry.id() + ")"
                            : "entry " + entry.id() + " appears out of order after " + (expectedId - 1));
                }
                if (!Arrays.equals(entry.prevHash(), expectedPrev)) {
                    return new Result(expectedId - 1, entry.id(), "entry " + entry.id()
                            + " does not link to entry " + (entry.id() - 1) + " (inserted, or the one before was altered)");
                }
                byte[] hash = entry.hash();
                if (!Arrays.equals(hash, row.hash())) {
                    return new Result(expectedId - 1, entry.id(), "entry " + entry.id()
                            + " was altered (its content does not match its hash)");
                }
                expectedPrev = hash;
                expectedId++;
            }
        }
        long last = expectedId - 1;
        record Head(long lastId, byte[] lastHash) {
        }
        Optional<Head> head = h.createQuery("select last_id, last_hash from audit_head")
                .map((rs, ctx) -> new Head(rs.getLong("last_id"), rs.getBytes("last_hash"))).findFirst();
        if (head.isEmpty()) return new Result(last, last + 1, "the head of the chain (audit_head) is missing");
        if (head.get().lastId() != last || !Arrays.equals(head.get().lastHash(), expectedPrev)) {
            return new Result(last, last + 1, head.get().lastId() > last
                    ? "entries " + (last + 1) + "…" + head.get().lastId() + " were removed from the end of the log"
                    : "the head of the chain does not match entry " + last);
        }
        return new Result(last, null, null);
    }
}
