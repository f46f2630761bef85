package dangan.tiers;


import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * D-19 decisions on a tier proposal (类别调整建议书): approve or reject all its open lines or some
 * of them. An approved line changes the archive's tier, enters the change register (change_log,
 * field 'tier', changed_by the approver) and records a {@code tier_changed} notification — all in
 * one transaction. A line whose archive's tier changed since the review is marked stale, not applied.
 */
public final class TierProposals {

    public record Proposal(long id, String asOf, String windowFrom, String windowTo, String status, Timestamp filedAt,
                           String filedBy, Timestamp decidedAt, int open, int approved, int rejected, int stale) {
        public int lines() {
            return open + approved + rejected + stale;
        }
    }

    public record Line(int lineNo, String archiveNo, String name, String oldTier, String newTier, int visits, BigDecimal spend,
                       boolean keyDecisionMaker, boolean importantOrganisation, boolean outOfProvince, String status,
                       String decidedBy, Timestamp decidedAt, String note) {
        public String flags() {
            List<String> f = new ArrayList<>();
            if (keyDecisionMaker) f.add("key decision-maker");
            if (importantOrganisation) f.add("important organisation");
            if (outOfProvince) f.add("out-of-province");
            return f.isEmpty() ? "-" : String.join(", ", f);
        }
    }

    /** What a decision did. */
    public record Decision(int decided, int stale, List<Integer> unknownLines) {
    }

    /** More work in a decision's transaction, before it commits (the API's audit entry): all of it commits, or none. */
    public interface Also {
        void in(Connection c, Decision decision) throws SQLException;
    }

    private static final String PROPOSALS = """
            select p.id, p.as_of::text, p.window_from::text, p.window_to::text, p.status, p.filed_at, p.filed_by, p.decided_at,
                   count(*) filter (where l.status = 'open') as open, count(*) filter (where l.status = 'approved') as approved,
                   count(*) filter (where l.status = 'rejected') as rejected, count(*) filter (where l.status = 'stale') as stale
            from tier_proposal p left join tier_proposal_line l on l.proposal_id = p.id
            %s
            group by p.id order by p.id""";

    private final DataSource dataSource;

    public TierProposals(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public List<Proposal> list() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PROPOSALS.formatted(""))) {
            return proposals(ps);
        }
    }

    public Proposal proposal(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(PROPOSALS.formatted("where p.id = ?"))) {
            ps.setLong(1, id);
            List<Proposal> found = proposals(ps);
            return found.isEmpty() ? null : found.get(0);
        }
    }

    private static List<Proposal> proposals(PreparedStatement ps) throws SQLException {
        List<Proposal> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Proposal(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getTimestamp(6), rs.getString(7), rs.getTimestamp(8), rs.getInt(9), rs.getInt(10), rs.getInt(11),
                        rs.getInt(12)));
            }
        }
        return out;
    }

    public List<Line> lines(long proposalId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select l.line_no, c.archive_no, c.name, l.old_tier, l.new_tier, l.visits, l.spend, l.key_decision_maker,
                       l.important_organisation, l.out_of_province, l.status, l.decided_by, l.decided_at, l.note
                from tier_proposal_line l join customer c on c.id = l.customer_id
                where l.proposal_id = ? order by l.line_no""")) {
            ps.setLong(1, proposalId);
            List<Line> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Line(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getInt(6), rs.getBigDecimal(7), rs.getBoolean(8), rs.getBoolean(9), rs.getBoolean(10),
                            rs.getString(11), rs.getString(12), rs.getTimestamp(13), rs.getString(14)));
                }
            }
            return out;
        }
    }

    /** Approves the open lines given (none given: all open lines) and applies them. */
    public Decision approve(long proposalId, List<Integer> lineNos, String by) throws SQLException {
        return decide(proposalId, lineNos, by, true, (c, d) -> { });
    }

    public Decision approve(long proposalId, List<Integer> lineNos, String by, Also also) throws SQLException {
        return decide(proposalId, lineNos, by, true, also);
    }

    /** Rejects the open lines given (none given: all open lines): the archives keep their tier. */
    public Decision reject(long proposalId, List<Integer> lineNos, String by) throws SQLException {
        return decide(proposalId, lineNos, by, false, (c, d) -> { });
    }

    public Decision reject(long proposalId, List<Integer> lineNos, String by, Also also) throws SQLException {
        return decide(proposalId, lineNos, by, false, also);
    }

    private Decision decide(long proposalId, List<Integer> lineNos, String by, boolean approve, Also also) throws SQLException {
        if (by == null || by.isBlank()) throw new IllegalArgumentException("a decision needs the manager's name (--by NAME)");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String asOf = lockProposal(c, proposalId);
                Integer[] wanted = lineNos.toArray(new Integer[0]);
                List<Integer> unknown = unknownLines(c, proposalId, wanted);
                String filter = " and l.status = 'open' and (cardinality(?::int[]) = 0 or l.line_no = any (?::int[]))";
                int stale = 0;
                int decided;
                if (approve) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            update tier_proposal_line l set status = 'stale', decided_by = ?, decided_at = now(),
                                   note = case when c.sealed_at is not null or c.status = 'sealed'
                                               then 'not applied: the archive was sealed since the review (D-32: read-only)'
                                               else 'not applied: the tier changed since the review (now ' || coalesce(c.tier, '-') || ')' end
                            from customer c where c.id = l.customer_id and l.proposal_id = ?""" + filter
                            + " and (c.tier is distinct from l.old_tier or c.sealed_at is not null or c.status = 'sealed')")) {
                        bind(ps, c, by, proposalId, wanted);
                        stale = ps.executeUpdate();
                    }
                    // one statement: lines approved, tiers changed, change register, and a tier_changed event
                    // per archive in the outbox (D-27) — set-based, however long the proposal
                    try (PreparedStatement ps = c.prepareStatement("""
                            with chosen as (
                                update tier_proposal_line l set status = 'approved', decided_by = ?, decided_at = now()
                                where l.proposal_id = ?""" + filter + """
                                returning l.*),
                            changed as (
                                update customer c set tier = ch.new_tier, updated_at = now()
                                from chosen ch where c.id = ch.customer_id
                                returning c.id, c.archive_no),
                            logged as (
                                insert into change_log (customer_id, field, old_value, new_value, changed_by, reason)
                                select ch.customer_id, 'tier', ch.old_tier, ch.new_tier, ?,
                                       format('类别调整建议书 #%s line %s (annual tier review as of %s), approved: %s visits, ¥%s in the window%s',
                                              ch.proposal_id, ch.line_no, ?::text, ch.visits, ch.spend,
                                              case when ch.key_decision_maker or ch.important_organisation or ch.out_of_province
                                                   then '; flags: ' || concat_ws(', ',
                                                        case when ch.key_decision_maker then 'key decision-maker' end,
                                                        case when ch.important_organisation then 'important organisation' end,
                                                        case when ch.out_of_province then 'out-of-province' end)
                                                   else '' end)
                                from chosen ch
                                returning customer_id),
                            notified as (
                                insert into notification_event (kind, customer_id, payload)
                                select 'tier_changed', ch.customer_id,
                                       jsonb_build_object('archive_no', x.archive_no, 'old_tier', ch.old_tier,
                                                          'new_tier', ch.new_tier, 'proposal', ch.proposal_id,
                                                          'line', ch.line_no, 'approved_by', ?::text)
                                from chosen ch join changed x on x.id = ch.customer_id
                                returning customer_id)
                            select (select count(*) from chosen), (select count(*) from logged), (select count(*) from notified)""")) {
                        int i = bind(ps, c, by, proposalId, wanted);
                        ps.setString(i++, by);
                        ps.setString(i++, asOf);
                        ps.setString(i, by);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            decided = rs.getInt(1);
                        }
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement(
                            "update tier_proposal_line l set status = 'rejected', decided_by = ?, decided_at = now()"
                                    + " where l.proposal_id = ?" + filter)) {
                        bind(ps, c, by, proposalId, wanted);
                        decided = ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        update tier_proposal p set status = 'decided', decided_at = now()
                        where p.id = ? and not exists (select 1 from tier_proposal_line l where l.proposal_id = p.id and l.status = 'open')""")) {
                    ps.setLong(1, proposalId);
                    ps.executeUpdate();
                }
                Decision decision = new Decision(decided, stale, unknown);
                also.in(c, decision);
                c.commit();
                return decision;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static int bind(PreparedStatement ps, Connection c, String by, long proposalId, Integer[] wanted) throws SQLException {
        ps.setString(1, by);
        ps.setLong(2, proposalId);
        ps.setArray(3, c.createArrayOf("int4", wanted));
        ps.setArray(4, c.createArrayOf("int4", wanted));
        return 5;
    }

    /** Locks the proposal against a concurrent decision; returns its review day. */
    private static String lockProposal(Connection c, long proposalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select as_of::text from tier_proposal where id = ? for update")) {
            ps.setLong(1, proposalId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("no tier proposal #" + proposalId + " (see 'tiers list')");
                }
                return rs.getString(1);
            }
        }
    }

    /** Line numbers asked for that are not on the proposal or already decided. */
    private static List<Integer> unknownLines(Connection c, long proposalId, Integer[] wanted) throws SQLException {
        List<Integer> unknown = new ArrayList<>();
        if (wanted.length == 0) return unknown;
        try (PreparedStatement ps = c.prepareStatement("""
                select w from unnest(?::int[]) w
                where not exists (select 1 from tier_proposal_line l where l.proposal_id = ? and l.line_no = w and l.status = 'open')
                order by w""")) {
            ps.setArray(1, c.createArrayOf("int4", wanted));
            ps.setLong(2, proposalId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) unknown.add(rs.getInt(1));
            }
        }
        return unknown;
    }
}
