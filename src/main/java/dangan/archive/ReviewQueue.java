package dangan.archive;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Review before filing (D-16): changes held by the merge (low-trust source, or a contradiction of
 * the customer's identity) and archives opened from a low-trust source wait here until a person
 * accepts or rejects them. Every decision is recorded with who made it; accepted changes go to
 * the change register (D-27).
 */
public final class ReviewQueue {

    /** The archive columns a held change may set; a held change names one of these or an extra attribute. */
    private static final Map<String, String> COLUMNS = Map.of(
            "name", "name = ?", "gender", "gender = ?", "birth_date", "birth_date = ?::date", "mobile", "mobile = ?",
            "email", "email = ?", "address", "address = ?", "employer", "employer = ?", "job_title", "job_title = ?",
            "nationality", "nationality = ?");

    private final DataSource dataSource;

    public ReviewQueue(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A change waiting for review, as a person reads it. */
    public record PendingChange(long id, String archiveNo, String field, String current, String currentSource,
                                Integer currentLine, String proposed, String reason, String source, Integer line) {
    }

    /** An archive opened from a low-trust source, waiting to be filed. */
    public record PendingArchive(String archiveNo, String name, String source) {
    }

    public List<PendingChange> pendingChanges() throws SQLException {
        List<PendingChange> changes = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select p.id, u.archive_no, p.field, p.current_value, cg.source_name, p.current_source_line,
                       p.proposed_value, p.reason, g.source_name, p.source_line
                from pending_change p join customer u on u.id = p.customer_id
                left join ingest g on g.id = p.source_ingest_id
                left join ingest cg on cg.id = p.current_source_ingest_id
                where p.status = 'pending' order by p.id""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                changes.add(new PendingChange(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), (Integer) rs.getObject(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        (Integer) rs.getObject(10)));
            }
        }
        return changes;
    }

    public List<PendingArchive> pendingArchives() throws SQLException {
        List<PendingArchive> archives = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select u.archive_no, u.name, g.source_name from customer u left join ingest g on g.id = u.source_ingest_id
                where u.review_status = 'pending' order by u.archive_no""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                archives.add(new PendingArchive(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
        return archives;
    }

    /** More work in a decision's transaction, before it commits (the API's audit entry): all of it commits, or none. */
    public interface Also {
        void in(Connection c) throws SQLException;
    }

    /** Applies a held change to its archive and records it in the change register. */
    public void accept(long changeId, String reviewer) throws SQLException {
        accept(changeId, reviewer, c -> { });
    }

    public void accept(long changeId, String reviewer, Also also) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Held held = lockPending(c, changeId);
                refuseSealed(c, held.customerId(), changeId);
                if (held.field().startsWith("health:")) {
                    fileHeldHealth(c, changeId); // held by dangan.consent.strict until consent to sensitive data
                } else {
                    apply(c, held);
                }
                try (PreparedStatement log = c.prepareStatement("""
                        insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source_ingest_id, source_line)
                        select customer_id, field, current_value, proposed_value, ?, 'accepted on review: ' || reason,
                               source_ingest_id, source_line
                        from pending_change where id = ?""")) {
                    log.setString(1, reviewer);
                    log.setLong(2, changeId);
                    log.executeUpdate();
                }
                decide(c, changeId, "accepted", reviewer);
                also.in(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Rejects a held change: the archive keeps its value; the decision is kept. */
    public void reject(long changeId, String reviewer) throws SQLException {
        reject(changeId, reviewer, c -> { });
    }

    public void reject(long changeId, String reviewer, Also also) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lockPending(c, changeId);
                decide(c, changeId, "rejected", reviewer);
                also.in(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Files an archive opened from a low-trust source; returns false when no such archive waits. */
    public boolean file(String archiveNo, String reviewer) throws SQLException {
        return file(archiveNo, reviewer, c -> { });
    }

    public boolean file(String archiveNo, String reviewer, Also also) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            int filed;
            try (PreparedStatement ps = c.prepareStatement(
                    "update customer set review_status = 'filed', updated_at = now() where archive_no = ? and review_status = 'pending'"
                            // a sealed archive is read-only (D-32); the trigger does not guard review_status
                            + " and sealed_at is null and status <> 'sealed' returning id")) {
                ps.setString(1, archiveNo);
                try (ResultSet rs = ps.executeQuery()) {
                    filed = rs.next() ? 1 : 0;
                    if (filed == 1) {
                        ChangeLog.write(c, ChangeLog.Change.of(rs.getLong(1), "review_status", "pending", "filed", reviewer,
                                "archive reviewed and filed (D-16)"));
                    }
                }
            }
            if (filed == 1) also.in(c);
            c.commit();
            return filed == 1;
        }
    }

    private record Held(long customerId, String field, String proposed, byte[] hash, byte[] enc) {
    }

    /** A held change of a sealed archive (D-32) cannot be accepted: the archive is read-only until a manager unseals it. */
    public static final class SealedArchiveException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        SealedArchiveException(String message) {
            super(message);
        }
    }

    /**
     * The trigger on {@code customer} guards its own columns only; a held health fact would go into
     * another table. Refused here for every kind of held change, before anything is written.
     */
    private static void refuseSealed(Connection c, long customerId, long changeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select archive_no from customer where id = ? and (sealed_at is not null or status = 'sealed') for share")) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new SealedArchiveException("change #" + changeId + " cannot be accepted: archive " + rs.getString(1)
                            + " is sealed (D-32) and read-only; a manager unseals it first, or reject the change");
                }
            }
        }
    }

    private static Held lockPending(Connection c, long changeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select customer_id, field, proposed_value, proposed_hash, proposed_enc from pending_change"
                        + " where id = ? and status = 'pending' for update")) {
            ps.setLong(1, changeId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalArgumentException("No pending change " + changeId + " (see `review list`)");
                return new Held(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4), rs.getBytes(5));
            }
        }
    }

    /** A health fact held for want of consent to sensitive data (dangan.consent.strict) joins the archive. */
    private static void fileHeldHealth(Connection c, long changeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into health_fact (customer_id, kind, detail_enc, fact_key, source_ingest_id, source_line)
                select customer_id, substr(field, 8), proposed_enc, proposed_hash, source_ingest_id, source_line
                from pending_change where id = ?
                on conflict (customer_id, kind, fact_key) do nothing""")) {
            ps.setLong(1, changeId);
            ps.executeUpdate();
        }
    }

    private static void apply(Connection c, Held held) throws SQLException {
        String sql;
        if (held.field().equals("id_number")) {
            sql = "update customer set id_number_hash = ?, id_number_enc = ?, id_number_masked = ?, updated_at = now() where id = ?";
        } else if (held.field().startsWith("extra.")) {
            sql = "update customer set extra = extra || jsonb_build_object(?::text, ?::text), updated_at = now() where id = ?";
        } else {
            String assignment = COLUMNS.get(held.field());
            if (assignment == null) throw new IllegalStateException("Unknown field in pending change: " + held.field());
            sql = "update customer set " + assignment + ", updated_at = now() where id = ?";
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (held.field().equals("id_number")) {
                ps.setBytes(i++, held.hash());
                ps.setBytes(i++, held.enc());
                ps.setString(i++, held.proposed());
            } else if (held.field().startsWith("extra.")) {
                ps.setString(i++, held.field().substring("extra.".length()));
                ps.setString(i++, held.proposed());
            } else {
                ps.setString(i++, held.proposed());
            }
            ps.setLong(i, held.customerId());
            ps.executeUpdate();
        }
    }

    private static void decide(Connection c, long changeId, String status, String reviewer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "update pending_change set status = ?, decided_by = ?, decided_at = now() where id = ?")) {
            ps.setString(1, status);
            ps.setString(2, reviewer);
            ps.setLong(3, changeId);
            ps.executeUpdate();
        }
    }
}
