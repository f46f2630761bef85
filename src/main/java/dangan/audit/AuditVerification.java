package dangan.audit;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

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

    private final DataSource dataSource;

    public AuditVerification(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Result verify() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (PreparedStatement ps = c.prepareStatement("select * from audit_log order by id")) {
                ps.setFetchSize(5_000);
                long expectedId = 1;
                byte[] expectedPrev = new byte[32];
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        AuditTrail.Stored entry = AuditTrail.Stored.from(rs);
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
                        if (!Arrays.equals(hash, rs.getBytes("hash"))) {
                            return new Result(expectedId - 1, entry.id(), "entry " + entry.id()
                                    + " was altered (its content does not match its hash)");
                        }
                        expectedPrev = hash;
                        expectedId++;
                    }
                }
                long last = expectedId - 1;
                try (PreparedStatement head = c.prepareStatement("select last_id, last_hash from audit_head");
                     ResultSet rs = head.executeQuery()) {
                    if (!rs.next()) return new Result(last, last + 1, "the head of the chain (audit_head) is missing");
                    long headId = rs.getLong(1);
                    if (headId != last || !Arrays.equals(rs.getBytes(2), expectedPrev)) {
                        return new Result(last, last + 1, headId > last
                                ? "entries " + (last + 1) + "…" + headId + " were removed from the end of the log"
                                : "the head of the chain does not match entry " + last);
                    }
                }
                return new Result(last, null, null);
            } finally {
                c.rollback();
            }
        }
    }
}
