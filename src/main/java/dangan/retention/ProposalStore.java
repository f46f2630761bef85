package dangan.retention;

import dangan.retention.ProposalShapes.Line;
import dangan.retention.ProposalShapes.Proposal;
import dangan.rules.RuleException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The destruction proposals' rows (destruction_proposal, destruction_proposal_line, subject_request,
 * destruction_record) and the archive facts a decision needs, read and written in the caller's transaction
 * ({@link Handle}). No rule lives here: {@link DestructionProposals} decides.
 */
final class ProposalStore {

    /** An archive as filing a proposal sees it. */
    record Archive(long customerId, OffsetDateTime lastActivity, boolean sealed, Long pendingProposal) {
    }

    /** The archive of a line, locked for its decision: its contact fields, its open legal holds, whether sealed. */
    record Target(long customerId, String mobile, String email, String holds, boolean sealed) {
    }

    private static final String HEAD = """
            select p.id, p.reason, p.filed_by, p.filed_at, p.as_of::text as as_of, p.note, p.status, p.decided_at,
                   (select count(*) from destruction_proposal_line l where l.proposal_id = p.id) as line_count,
                   (select count(*) from destruction_proposal_line l where l.proposal_id = p.id and l.status = 'pending') as pending_count
            from destruction_proposal p""";

    private ProposalStore() {
    }

    /** The archive behind a number, with its last activity and the pending proposal that already names it. */
    static Optional<Archive> archive(Handle h, String archiveNo) {
        return h.createQuery("""
                        select a.customer_id, a.last_activity, c.sealed_at is not null or c.status = 'sealed' as sealed,
                               (select min(l.proposal_id) from destruction_proposal_line l
                                where l.customer_id = a.customer_id and l.status = 'pending') as pending_proposal
                        from archive_last_activity a join customer c on c.id = a.customer_id where a.archive_no = :archiveNo""")
                .bind("archiveNo", archiveNo)
                .map((rs, ctx) -> new Archive(rs.getLong("customer_id"), rs.getObject("last_activity", OffsetDateTime.class),
                        rs.getBoolean("sealed"), rs.getObject("pending_proposal", Long.class)))
                .findOne();
    }

    /** A deletion subject request, due in {@code dueDays}: its id and due time. */
    static Filing deletionRequest(Handle h, long customerId, String archiveNo, String receivedVia, String receivedBy, int dueDays) {
        return h.createQuery("""
                        insert into subject_request (customer_id, archive_no, kind, received_via, received_by, due_at)
                        values (:customer, :archiveNo, 'deletion', :via, :by, now() + make_interval(days => :days))
                        returning id, due_at""")
                .bind("customer", customerId).bind("archiveNo", archiveNo).bind("via", receivedVia).bind("by", receivedBy)
                .bind("days", dueDays)
                .map((rs, ctx) -> new Filing(rs.getLong("id"), rs.getObject("due_at", OffsetDateTime.class)))
                .one();
    }

    /** A subject request just filed. */
    record Filing(long id, OffsetDateTime dueAt) {
    }

    /** A new open proposal; its id. */
    static long insertProposal(Handle h, String reason, String filedBy, String note) {
        return h.createUpdate("insert into destruction_proposal (reason, filed_by, note) values (:reason, :by, :note)")
                .bind("reason", reason).bind("by", filedBy).bind("note", note)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    /** A pending line of a proposal, whole archive unless {@code scope} says otherwise. */
    static void insertLine(Handle h, long proposalId, int lineNo, long customerId, String archiveNo, OffsetDateTime lastActivity,
                           Long subjectRequestId) {
        h.createUpdate("""
                        insert into destruction_proposal_line (proposal_id, line_no, customer_id, archive_no, scope,
                                                               last_activity, subject_request_id)
                        values (:proposal, :line, :customer, :archiveNo, 'archive', :lastActivity, :request)""")
                .bind("proposal", proposalId).bind("line", lineNo).bind("customer", customerId).bind("archiveNo", archiveNo)
                .bind("lastActivity", lastActivity).bind("request", subjectRequestId)
                .execute();
    }

    /** The proposals in one status (all when null), newest first, without their lines. */
    static List<Proposal> list(Handle h, String status) {
        return h.createQuery("""
                        select p.id, p.reason, p.filed_by, p.filed_at, p.as_of::text as as_of, p.note, p.status, p.decided_at,
                               count(l.line_no) as line_count, count(l.line_no) filter (where l.status = 'pending') as pending_count
                        from destruction_proposal p left join destruction_proposal_line l on l.proposal_id = p.id
                        where cast(:status as text) is null or p.status = :status
                        group by p.id order by p.id desc limit 500""")
                .bind("status", status).map(ProposalStore::proposal).list();
    }

    /** A proposal with its lines; with {@code lock}, held against a concurrent decision until the transaction ends. */
    static Proposal show(Handle h, long id, boolean lock) {
        Proposal head = h.createQuery(HEAD + " where p.id = :id" + (lock ? " for update" : "")).bind("id", id)
                .map(ProposalStore::proposal).findOne()
                .orElseThrow(() -> RuleException.notFound("refusal.destruction.none", "id", String.valueOf(id)));
        List<Line> lines = h.createQuery("""
                        select line_no, archive_no, scope, last_activity, subject_request_id, status, decided_by, decided_at,
                               decision_reason, destruction_id
                        from destruction_proposal_line where proposal_id = :id order by line_no""")
                .bind("id", id)
                .map((rs, ctx) -> new Line(rs.getInt("line_no"), rs.getString("archive_no"), rs.getString("scope"),
                        rs.getObject("last_activity", OffsetDateTime.class), rs.getObject("subject_request_id", Long.class),
                        rs.getString("status"), rs.getString("decided_by"), rs.getObject("decided_at", OffsetDateTime.class),
                        rs.getString("decision_reason"), rs.getObject("destruction_id", Long.class)))
                .list();
        return head.withLines(lines);
    }

    private static Proposal proposal(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Proposal(rs.getLong("id"), rs.getString("reason"), rs.getString("filed_by"),
                rs.getObject("filed_at", OffsetDateTime.class), rs.getString("as_of"), rs.getString("note"), rs.getString("status"),
                rs.getObject("decided_at", OffsetDateTime.class), rs.getLong("line_count"), rs.getLong("pending_count"), null);
    }

    /** The archive of a line, locked; empty when it no longer exists. */
    static Optional<Target> target(Handle h, long proposalId, int lineNo) {
        return h.createQuery("""
                        select c.id, c.mobile, c.email,
                               (select string_agg('#' || h.id || ' ' || h.reason, '; ') from legal_hold h
                                where h.customer_id = c.id and h.released_at is null) as holds,
                               c.sealed_at is not null or c.status = 'sealed' as sealed
                        from customer c join destruction_proposal_line l on l.customer_id = c.id
                        where l.proposal_id = :proposal and l.line_no = :line for update of c""")
                .bind("proposal", proposalId).bind("line", lineNo)
                .map((rs, ctx) -> new Target(rs.getLong("id"), rs.getString("mobile"), rs.getString("email"),
                        rs.getString("holds"), rs.getBoolean("sealed")))
                .findOne();
    }

    static OffsetDateTime lastActivity(Handle h, long customerId) {
        return h.createQuery("select last_activity from archive_last_activity where customer_id = :customer")
                .bind("customer", customerId).mapTo(OffsetDateTime.class).findOne().orElse(null);
    }

    static void seal(Handle h, long customerId, String by, String reason) {
        h.createUpdate("update customer set sealed_at = now(), sealed_by = :by, sealed_reason = :reason, status = 'sealed' where id = :id")
                .bind("by", by).bind("reason", reason).bind("id", customerId).execute();
    }

    /** A sealed archive, locked: its id and who sealed it. */
    record Sealed(long customerId, boolean sealed, String sealedBy) {
    }

    static Optional<Sealed> sealedForUpdate(Handle h, String archiveNo) {
        return h.createQuery("select id, sealed_at is not null as sealed, sealed_by from customer where archive_no = :archiveNo for update")
                .bind("archiveNo", archiveNo)
                .map((rs, ctx) -> new Sealed(rs.getLong("id"), rs.getBoolean("sealed"), rs.getString("sealed_by")))
                .findOne();
    }

    static void unseal(Handle h, long customerId) {
        h.createUpdate("update customer set sealed_at = null, sealed_by = null, sealed_reason = null, status = 'active' where id = :id")
                .bind("id", customerId).execute();
    }

    static long deleteHealthFacts(Handle h, long customerId) {
        return h.createUpdate("delete from health_fact where customer_id = :customer").bind("customer", customerId).execute();
    }

    /** The destruction record (what was destroyed, on whose approval, how many rows per table); its id. */
    static long record(Handle h, String archiveNo, String reason, long proposalId, String approver, String method, String countsJson,
                       String originalsJson) {
        return h.createUpdate("""
                        insert into destruction_record (archive_no, reason, proposal_id, approved_by, method, counts, originals)
                        values (:archiveNo, :reason, :proposal, :approver, :method, cast(:counts as jsonb), cast(:originals as jsonb))""")
                .bind("archiveNo", archiveNo).bind("reason", reason).bind("proposal", proposalId).bind("approver", approver)
                .bind("method", method).bind("counts", countsJson).bind("originals", originalsJson)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    static void decide(Handle h, long proposalId, int lineNo, String status, String by, String reason, Long recordId) {
        h.createUpdate("""
                        update destruction_proposal_line set status = :status, decided_by = :by, decided_at = now(),
                                                             decision_reason = :reason, destruction_id = :record
                        where proposal_id = :proposal and line_no = :line""")
                .bind("status", status).bind("by", by).bind("reason", reason).bind("record", recordId)
                .bind("proposal", proposalId).bind("line", lineNo)
                .execute();
    }

    /**
     * Closes the line's subject request; with {@code everyDeletion} (the archive is destroyed) also every
     * other open deletion request of that archive — a rejected or sealed line leaves those to their own proposal.
     */
    static void closeRequests(Handle h, Line line, boolean everyDeletion, String status, String by, String outcome) {
        h.createUpdate("""
                        update subject_request set status = :status, closed_at = now(), closed_by = :by, outcome = :outcome
                        where status = 'open' and (id = :request or (:every and archive_no = :archiveNo and kind = 'deletion'))""")
                .bind("status", status).bind("by", by).bind("outcome", outcome).bind("request", line.subjectRequestId())
                .bind("every", everyDeletion).bind("archiveNo", line.archiveNo())
                .execute();
    }

    /** Marks the proposal decided when no line is pending; its status. */
    static String settle(Handle h, long proposalId) {
        return h.createUpdate("""
                        update destruction_proposal p set status = 'decided', decided_at = now()
                        where p.id = :proposal and not exists (select 1 from destruction_proposal_line l
                                                               where l.proposal_id = p.id and l.status = 'pending')""")
                .bind("proposal", proposalId).execute() > 0 ? "decided" : "open";
    }
}
