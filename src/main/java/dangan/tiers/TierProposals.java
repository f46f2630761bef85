package dangan.tiers;

import dangan.archive.ArchiveLock;
import dangan.audit.AuditText;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

import javax.sql.DataSource;
import java.math.BigDecimal;
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
        void in(Handle h, Decision decision);
    }

    private static final String PROPOSALS = """
            select p.id, p.as_of::text as as_of, p.window_from::text as window_from, p.window_to::text as window_to, p.status, p.filed_at, p.filed_by, p.decided_at,
                   count(*) filter (where l.status = 'open') as open, count(*) filter (where l.status = 'approved') as approved,
                   count(*) filter (where l.status = 'rejected') as rejected, count(*) filter (where l.status = 'stale') as stale
            from tier_proposal p left join tier_proposal_line l on l.proposal_id = p.id
            %s
            group by p.id order by p.id""";

    /** The tiers a stale line's note may name (the last: none), each note said once per decision. */
    private static final List<String> STALE_TIERS = List.of("A", "B", "C", "D", "E", "-");

    private final Jdbi jdbi;
    /** The language of the change register's reasons an approval writes ({@code dangan.locale}). */
    private final Messages messages;

    /** Proposals whose approvals write their change-register reasons in Simplified Chinese (the default language). */
    public TierProposals(DataSource dataSource) {
        this(dataSource, Messages.of(Language.ZH));
    }

    /** Proposals whose approvals write their change-register reasons in the language of {@code messages}. */
    public TierProposals(DataSource dataSource, Messages messages) {
        this.jdbi = Db.jdbi(dataSource);
        this.messages = messages;
    }

    public List<Proposal> list() {
        return jdbi.withHandle(h -> h.createQuery(PROPOSALS.formatted("")).map(TierProposals::proposal).list());
    }

    public Proposal proposal(long id) {
        return jdbi.withHandle(h -> h.createQuery(PROPOSALS.formatted("where p.id = :id")).bind("id", id)
                .map(TierProposals::proposal).findOne().orElse(null));
    }

    private static Proposal proposal(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Proposal(rs.getLong("id"), rs.getString("as_of"), rs.getString("window_from"), rs.getString("window_to"),
                rs.getString("status"), rs.getTimestamp("filed_at"), rs.getString("filed_by"), rs.getTimestamp("decided_at"),
                rs.getInt("open"), rs.getInt("approved"), rs.getInt("rejected"), rs.getInt("stale"));
    }

    public List<Line> lines(long proposalId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select l.line_no, c.archive_no, c.name, l.old_tier, l.new_tier, l.visits, l.spend, l.key_decision_maker,
                               l.important_organisation, l.out_of_province, l.status, l.decided_by, l.decided_at, l.note
                        from tier_proposal_line l join customer c on c.id = l.customer_id
                        where l.proposal_id = :proposal order by l.line_no""")
                .bind("proposal", proposalId)
                .map((rs, ctx) -> new Line(rs.getInt("line_no"), rs.getString("archive_no"), rs.getString("name"),
                        rs.getString("old_tier"), rs.getString("new_tier"), rs.getInt("visits"), rs.getBigDecimal("spend"),
                        rs.getBoolean("key_decision_maker"), rs.getBoolean("important_organisation"),
                        rs.getBoolean("out_of_province"), rs.getString("status"), rs.getString("decided_by"),
                        rs.getTimestamp("decided_at"), rs.getString("note")))
                .list());
    }

    /** Approves the open lines given (none given: all open lines) and applies them. */
    public Decision approve(long proposalId, List<Integer> lineNos, String by) {
        return decide(proposalId, lineNos, by, true, (h, d) -> { });
    }

    public Decision approve(long proposalId, List<Integer> lineNos, String by, Also also) {
        return decide(proposalId, lineNos, by, true, also);
    }

    /** Rejects the open lines given (none given: all open lines): the archives keep their tier. */
    public Decision reject(long proposalId, List<Integer> lineNos, String by) {
        return decide(proposalId, lineNos, by, false, (h, d) -> { });
    }

    public Decision reject(long proposalId, List<Integer> lineNos, String by, Also also) {
        return decide(proposalId, lineNos, by, false, also);
    }

    private Decision decide(long proposalId, List<Integer> lineNos, String by, boolean approve, Also also) {
        if (by == null || by.isBlank()) throw new IllegalArgumentException("a decision needs the manager's name (--by NAME)");
        return jdbi.inTransaction(h -> {
            if (approve) ArchiveLock.hold(h); // approving writes the archives' tiers: never between a merge's read and its update
            String asOf = lockProposal(h, proposalId);
            List<Integer> unknown = unknownLines(h, proposalId, lineNos);
            String filter = " and l.status = 'open' and (cardinality(:wanted) = 0 or l.line_no = any (:wanted))";
            int stale = 0;
            int decided;
            if (approve) {
                stale = h.createUpdate("""
                        update tier_proposal_line l set status = 'stale', decided_by = :by, decided_at = now(),
                               note = case when c.sealed_at is not null or c.status = 'sealed' then :sealedNote
                                           else (:changedNotes)[coalesce(array_position(:tiers, c.tier::text), cardinality(:tiers))] end
                        from customer c where c.id = l.customer_id and l.proposal_id = :proposal""" + filter
                        + " and (c.tier is distinct from l.old_tier or c.sealed_at is not null or c.status = 'sealed')")
                        .bind("by", by).bind("proposal", proposalId).bindArray("wanted", Integer.class, lineNos)
                        .bind("sealedNote", messages.text("records.tier.stale-sealed"))
                        .bindArray("tiers", String.class, STALE_TIERS)
                        .bindArray("changedNotes", String.class, STALE_TIERS.stream().map(t -> messages.text("records.tier.stale-changed",
                                "tier", AuditText.tier(t.equals("-") ? null : t))).toList())
                        .execute();
                // the change register's reason of each line, in the configured language
                List<Integer> reasonLines = new ArrayList<>();
                List<String> reasons = new ArrayList<>();
                h.createQuery("""
                                select l.line_no, l.visits, l.spend, l.key_decision_maker, l.important_organisation, l.out_of_province
                                from tier_proposal_line l where l.proposal_id = :proposal""" + filter)
                        .bind("proposal", proposalId).bindArray("wanted", Integer.class, lineNos)
                        .map((rs, ctx) -> {
                            List<String> flags = new ArrayList<>();
                            if (rs.getBoolean("key_decision_maker")) flags.add(messages.text("audit.tiers.flag.key-decision-maker"));
                            if (rs.getBoolean("important_organisation")) flags.add(messages.text("audit.tiers.flag.important-organisation"));
                            if (rs.getBoolean("out_of_province")) flags.add(messages.text("audit.tiers.flag.out-of-province"));
                            reasonLines.add(rs.getInt("line_no"));
                            return messages.text("audit.change.tier", "proposal", proposalId, "line", rs.getInt("line_no"),
                                    "asOf", java.time.LocalDate.parse(asOf), "visits", rs.getLong("visits"), "spend", rs.getBigDecimal("spend"),
                                    "hasFlags", flags.isEmpty() ? "no" : "yes", "flags", String.join(messages.text("audit.separator"), flags));
                        })
                        .forEach(reasons::add);
                // one statement: lines approved, tiers changed, change register, and a tier_changed event
                // per archive in the outbox (D-27) — set-based, however long the proposal
                decided = h.createQuery("""
                        with chosen as (
                            update tier_proposal_line l set status = 'approved', decided_by = :by, decided_at = now()
                            where l.proposal_id = :proposal""" + filter + """
                            returning l.*),
                        changed as (
                            update customer c set tier = ch.new_tier, updated_at = now()
                            from chosen ch where c.id = ch.customer_id
                            returning c.id, c.archive_no),
                        logged as (
                            insert into change_log (customer_id, field, old_value, new_value, changed_by, reason)
                            select ch.customer_id, 'tier', ch.old_tier, ch.new_tier, :by, coalesce(r.reason, '')
                            from chosen ch
                            left join unnest(cast(:reasonLines as int[]), cast(:reasons as text[])) as r(line_no, reason)
                                   on r.line_no = ch.line_no
                            returning customer_id),
                        notified as (
                            insert into notification_event (kind, customer_id, payload)
                            select 'tier_changed', ch.customer_id,
                                   jsonb_build_object('archive_no', x.archive_no, 'old_tier', ch.old_tier,
                                                      'new_tier', ch.new_tier, 'proposal', ch.proposal_id,
                                                      'line', ch.line_no, 'approved_by', cast(:by as text))
                            from chosen ch join changed x on x.id = ch.customer_id
                            returning customer_id)
                        select (select count(*) from chosen) as decided, (select count(*) from logged) as logged,
                               (select count(*) from notified) as notified""")
                        .bind("by", by).bind("proposal", proposalId).bindArray("wanted", Integer.class, lineNos)
                        .bindArray("reasonLines", Integer.class, reasonLines).bindArray("reasons", String.class, reasons)
                        .map((rs, ctx) -> rs.getInt("decided")).one();
            } else {
                decided = h.createUpdate("update tier_proposal_line l set status = 'rejected', decided_by = :by, decided_at = now()"
                                + " where l.proposal_id = :proposal" + filter)
                        .bind("by", by).bind("proposal", proposalId).bindArray("wanted", Integer.class, lineNos).execute();
            }
            h.createUpdate("""
                    update tier_proposal p set status = 'decided', decided_at = now()
                    where p.id = :proposal and not exists (select 1 from tier_proposal_line l where l.proposal_id = p.id and l.status = 'open')""")
                    .bind("proposal", proposalId).execute();
            Decision decision = new Decision(decided, stale, unknown);
            also.in(h, decision);
            return decision;
        });
    }

    /** Locks the proposal against a concurrent decision; returns its review day. */
    private static String lockProposal(Handle h, long proposalId) {
        return h.createQuery("select as_of::text from tier_proposal where id = :id for update").bind("id", proposalId)
                .mapTo(String.class).findOne()
                .orElseThrow(() -> dangan.rules.RuleException.notFound("refusal.tiers.none", "id", proposalId));
    }

    /** Line numbers asked for that are not on the proposal or already decided. */
    private static List<Integer> unknownLines(Handle h, long proposalId, List<Integer> wanted) {
        if (wanted.isEmpty()) return new ArrayList<>();
        return h.createQuery("""
                        select w from unnest(:wanted) w
                        where not exists (select 1 from tier_proposal_line l where l.proposal_id = :proposal and l.line_no = w and l.status = 'open')
                        order by w""")
                .bindArray("wanted", Integer.class, wanted).bind("proposal", proposalId).mapTo(Integer.class).list();
    }
}
