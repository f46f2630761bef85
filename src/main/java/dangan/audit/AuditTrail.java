package dangan.audit;

import javax.sql.DataSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The append-only, hash-chained audit log (D-26, D-27). Each entry's hash covers its content and
 * the hash of the entry before; ids run without gaps. Appending locks the chain's head row, so
 * concurrent writers (several instances too) chain in one order.
 */
public final class AuditTrail {

    private static final String HEAD = "select last_id, last_hash from audit_head for update";
    private static final String INSERT = """
            insert into audit_log (id, at, actor, role, action, archive_no, categories, purpose, grant_id, outcome,
                                   detail, prev_hash, hash)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    private static final String MOVE_HEAD = "update audit_head set last_id = ?, last_hash = ?";

    private final DataSource dataSource;

    public AuditTrail(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Appends in the caller's transaction: the entry commits with the change it describes, or not at all. */
    public long record(Connection c, AuditEntry e) throws SQLException {
        long id;
        byte[] prev;
        try (PreparedStatement ps = c.prepareStatement(HEAD); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new SQLException("audit_head has no row: the audit trail is damaged (see migration V13)");
            id = rs.getLong(1) + 1;
            prev = rs.getBytes(2);
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String categories = e.categories().isEmpty() ? null : String.join(",", e.categories());
        Stored stored = new Stored(id, at, e.actor(), e.role(), e.action(), e.archiveNo(), categories, e.purpose(),
                e.grantId(), e.outcome(), e.detail(), prev);
        byte[] hash = stored.hash();
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setLong(1, id);
            ps.setTimestamp(2, Timestamp.from(at));
            ps.setString(3, e.actor());
            ps.setString(4, e.role());
            ps.setString(5, e.action());
            ps.setString(6, e.archiveNo());
            ps.setString(7, categories);
            ps.setString(8, e.purpose());
            ps.setObject(9, e.grantId());
            ps.setString(10, e.outcome());
            ps.setString(11, e.detail());
            ps.setBytes(12, prev);
            ps.setBytes(13, hash);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(MOVE_HEAD)) {
            ps.setLong(1, id);
            ps.setBytes(2, hash);
            ps.executeUpdate();
        }
        return id;
    }

    /** Appends in a transaction of its own (a read, a denied attempt). */
    public long record(AuditEntry e) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long id = record(c, e);
                c.commit();
                return id;
            } catch (SQLException | RuntimeException ex) {
                c.rollback();
                throw ex;
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("Cannot write the audit log: " + ex.getMessage(), ex);
        }
    }

    /** An entry as stored; its hash is what the chain is made of. */
    record Stored(long id, Instant at, String actor, String role, String action, String archiveNo, String categories,
                  String purpose, Long grantId, String outcome, String detail, byte[] prevHash) {

        static Stored from(ResultSet rs) throws SQLException {
            return new Stored(rs.getLong("id"), rs.getTimestamp("at").toInstant(), rs.getString("actor"),
                    rs.getString("role"), rs.getString("action"), rs.getString("archive_no"), rs.getString("categories"),
                    rs.getString("purpose"), (Long) rs.getObject("grant_id"), rs.getString("outcome"),
                    rs.getString("detail"), rs.getBytes("prev_hash"));
        }

        /** SHA-256 over every field, each length-prefixed so no two contents hash alike by shifting text. */
        byte[] hash() {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(prevHash);
                sha.update(ByteBuffer.allocate(16).putLong(id).putLong(at.getEpochSecond() * 1_000_000L + at.getNano() / 1000).array());
                for (String field : new String[]{actor, role, action, archiveNo, categories, purpose,
                        grantId == null ? null : grantId.toString(), outcome, detail}) {
                    if (field == null) {
                        sha.update(ByteBuffer.allocate(4).putInt(-1).array());
                    } else {
                        byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                        sha.update(bytes);
                    }
                }
                return sha.digest();
            } catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException("SHA-256 unavailable", ex);
            }
        }
    }
}
