package dangan.retention;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dangan.access.Api;
import dangan.access.Role;
import dangan.archive.ArchiveLock;
import dangan.archive.ChangeLog;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.rules.RuleException;
import dangan.store.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Destruction proposals (D-31: application → supervisor approval → destruction → record) and
 * sealing (D-32). Filing: the retention review ({@link RetentionReview}) or a customer's deletion
 * request ({@link #fileDeletionRequest}). Deciding: {@link #approve} (method destroy or seal) and
 * {@link #reject}, by a manager who did not file the proposal. Every decision is one transaction:
 * the rows, the destruction records, the audit entries and the subject requests commit together.
 */
public final class DestructionProposals {

    private static final Logger LOG = LoggerFactory.getLogger(DestructionProposals.class);
    static final List<String> ALL_CATEGORIES = List.of("basic", "consumption", "preferences", "health", "feedback", "identity");
    static final String METHOD_ARCHIVE = "rows deleted, customer keys destroyed";
    static final String METHOD_HEALTH = "health facts deleted";
    /** The roles to whom a sealed archive answers as if it did not exist (D-32). */
    private static final Set<Role> ORDINARY_ROLES = EnumSet.of(Role.FRONT_DESK, Role.SERVICE);

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final RetentionSettings settings;
    private final List<DestructionListener> listeners = new CopyOnWriteArrayList<>();

    public DestructionProposals(DataSource dataSource, AuditTrail audit, RetentionSettings settings) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.settings = settings;
    }

    /** Work to run after each committed destruction (key cache, backups' keyring). */
    public void afterDestruction(DestructionListener listener) {
        listeners.add(listener);
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Proposal(long id, String reason, String filedBy, OffsetDateTime filedAt, String asOf, String note,
                           String status, OffsetDateTime decidedAt, long lineCount, long pendingCount, List<Line> lines) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Line(int lineNo, String archiveNo, String scope, OffsetDateTime lastActivity, Long subjectRequestId,
                       String status, String decidedBy, OffsetDateTime decidedAt, String decisionReason, Long destructionId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Filed(long proposalId, long subjectRequestId, String archiveNo, OffsetDateTime dueAt, String status) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Decided(long proposalId, String method, List<Line> lines, String proposalStatus) {
    }

    // ------------------------------------------------------------------ filing

    /**
     * A customer's deletion request: a subject request (kind deletion, due in dangan.rights.due-days)
     * and a proposal with reason customer-request, in one transaction with its audit entry.
     *
     * @param receivedVia how the customer asked (desk, phone, mail, letter, api)
     * @param receivedBy  the member of staff who took it, or system:mail
     */
    public Filed fileDeletionRequest(String archiveNo, String receivedVia, String receivedBy, Role role, String note)
            throws SQLException {
        Filed filed = Transactions.inTransaction(dataSource, c -> {
            long customerId;
            OffsetDateTime lastActivity;
            try (PreparedStatement ps = c.prepareStatement("""
                    select a.customer_id, a.last_activity, c.sealed_at is not null or c.status = 'sealed'
                      from archive_last_activity a join customer c on c.id = a.customer_id where a.archive_no = ?""")) {
                ps.setString(1, archiveNo);
                try (ResultSet rs = ps.executeQuery()) {
                    // a sealed archive does not exist for front desk and service staff (D-32): the same 404 as an unknown one
                    if (!rs.next() || (rs.getBoolean(3) && ORDINARY_ROLES.contains(role))) {
                        throw new RuleException.NotFound("no archive " + archiveNo + ": check the archive number");
                    }
                    customerId = rs.getLong(1);
                    lastActivity = rs.getObject(2, OffsetDateTime.class);
                }
            }
            long requestId;
            OffsetDateTime dueAt;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into subject_request (customer_id, archive_no, kind, received_via, received_by, due_at)
                    values (?, ?, 'deletion', ?, ?, now() + make_interval(days => ?)) returning id, due_at""")) {
                ps.setLong(1, customerId);
                ps.setString(2, archiveNo);
                ps.setString(3, receivedVia);
                ps.setString(4, receivedBy);
                ps.setInt(5, settings.dueDays());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    requestId = rs.getLong(1);
                    dueAt = rs.getObject(2, OffsetDateTime.class);
                }
            }
            long proposalId;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into destruction_proposal (reason, filed_by, note) values ('customer-request', ?, ?) returning id""")) {
                ps.setString(1, receivedBy);
                ps.setString(2, note);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    proposalId = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into destruction_proposal_line (proposal_id, line_no, customer_id, archive_no, scope,
                                                           last_activity, subject_request_id)
                    values (?, 1, ?, ?, 'archive', ?, ?)""")) {
                ps.setLong(1, proposalId);
                ps.setLong(2, customerId);
                ps.setString(3, archiveNo);
                ps.setObject(4, lastActivity);
                ps.setLong(5, requestId);
                ps.executeUpdate();
            }
            audit.record(c, new AuditEntry(receivedBy, label(role), "deletion-request", archiveNo, List.of(), "customer's deletion request",
                    null, AuditEntry.OK, "received via " + receivedVia + "; subject request #" + requestId
                    + ", destruction proposal #" + proposalId + " awaits a manager"));
            return new Filed(proposalId, requestId, archiveNo, dueAt, "pending approval by a manager");
        });
        LOG.info("Deletion request for archive {} ({} via {}): subject request #{}, destruction proposal #{} awaits a manager",
                archiveNo, receivedBy, receivedVia, filed.subjectRequestId(), filed.proposalId());
        return filed;
    }

    /**
     * A proposal filed by a member of staff (D-31): archives past their period found by hand
     * ({@code retention}) or damaged ones ({@code damaged}). A customer's own request goes through
     * {@link #fileDeletionRequest} (it is also tracked as a subject request).
     */
    public Proposal fileProposal(List<String> archiveNos, String reason, String note, String by, Role role) throws SQLException {
        if (!"retention".equals(reason) && !"damaged".equals(reason)) {
            throw new RuleException.Invalid("\"reason\" must be \"retention\" or \"damaged\" (a customer's own request:"
                    + " POST /api/archives/{archiveNo}/deletion-request), got " + (reason == null ? "nothing" : "\"" + reason + "\""));
        }
        if (archiveNos.isEmpty()) throw new RuleException.Invalid("\"archive_nos\" must list at least one archive number");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                long proposalId;
                try (PreparedStatement ps = c.prepareStatement(
                        "insert into destruction_proposal (reason, filed_by, note) values (?, ?, ?) returning id")) {
                    ps.setString(1, reason);
                    ps.setString(2, by);
                    ps.setString(3, note);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        proposalId = rs.getLong(1);
                    }
                }
                int lineNo = 0;
                for (String archiveNo : new LinkedHashSet<>(archiveNos)) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            select a.customer_id, a.last_activity,
                                   (select min(l.proposal_id) from destruction_proposal_line l
                                    where l.customer_id = a.customer_id and l.status = 'pending')
                            from archive_last_activity a where a.archive_no = ?""")) {
                        ps.setString(1, archiveNo);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) throw new RuleException.NotFound("no archive " + archiveNo + ": check the archive number");
                            if (rs.getObject(3) != null) {
                                throw new RuleException.Conflict("archive " + archiveNo + " is already proposed (destruction proposal #"
                                        + rs.getLong(3) + "): decide that one, or leave it out");
                            }
                            try (PreparedStatement line = c.prepareStatement("""
                                    insert into destruction_proposal_line (proposal_id, line_no, customer_id, archive_no, last_activity)
                                    values (?, ?, ?, ?, ?)""")) {
                                line.setLong(1, proposalId);
                                line.setInt(2, ++lineNo);
                                line.setLong(3, rs.getLong(1));
                                line.setString(4, archiveNo);
                                line.setObject(5, rs.getObject(2, OffsetDateTime.class));
                                line.executeUpdate();
                            }
                        }
                    }
                    audit.record(c, new AuditEntry(by, label(role), "propose-destruction", archiveNo, List.of(), reason, null, AuditEntry.OK,
                            "destruction proposal #" + proposalId + " line " + lineNo + " (" + reason + ") awaits a manager"));
                }
                c.commit();
                LOG.info("Destruction proposal #{} ({}) filed by {} with {} archive(s); a manager decides", proposalId, reason, by, lineNo);
                return show(c, proposalId, false);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ reading

    public List<Proposal> list(String status) throws SQLException {
        String sql = """
                select p.id, p.reason, p.filed_by, p.filed_at, p.as_of::text, p.note, p.status, p.decided_at,
                       count(l.line_no), count(l.line_no) filter (where l.status = 'pending')
                from destruction_proposal p left join destruction_proposal_line l on l.proposal_id = p.id
                where ?::text is null or p.status = ?
                group by p.id order by p.id desc limit 500""";
        List<Proposal> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, status);
            ps.setString(2, status);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(proposal(rs, null));
            }
        }
        return out;
    }

    public Proposal show(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return show(c, id, false);
        }
    }

    private Proposal show(Connection c, long id, boolean lock) throws SQLException {
        Proposal head;
        try (PreparedStatement ps = c.prepareStatement("""
                select p.id, p.reason, p.filed_by, p.filed_at, p.as_of::text, p.note, p.status, p.decided_at,
                       (select count(*) from destruction_proposal_line l where l.proposal_id = p.id),
                       (select count(*) from destruction_proposal_line l where l.proposal_id = p.id and l.status = 'pending')
                from destruction_proposal p where p.id = ?""" + (lock ? " for update" : ""))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new RuleException.NotFound("no destruction proposal #" + id);
                head = proposal(rs, null);
            }
        }
        List<Line> lines = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select line_no, archive_no, scope, last_activity, subject_request_id, status, decided_by, decided_at,
                       decision_reason, destruction_id
                from destruction_proposal_line where proposal_id = ? order by line_no""")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(new Line(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class),
                            (Long) rs.getObject(5), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                            rs.getString(9), (Long) rs.getObject(10)));
                }
            }
        }
        return new Proposal(head.id(), head.reason(), head.filedBy(), head.filedAt(), head.asOf(), head.note(), head.status(),
                head.decidedAt(), head.lineCount(), head.pendingCount(), lines);
    }

    private static Proposal proposal(ResultSet rs, List<Line> lines) throws SQLException {
        return new Proposal(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getObject(8, OffsetDateTime.class),
                rs.getLong(9), rs.getLong(10), lines);
    }

    // ------------------------------------------------------------------ deciding

    /**
     * Approves lines of a proposal (all pending lines when {@code lineNos} is empty) with method
     * {@code destroy} or {@code seal}, as {@code approver} (a manager; never the proposal's filer).
     */
    public Decided approve(long proposalId, List<Integer> lineNos, String method, String reason, String approver, Role role)
            throws Exception {
        if (!"destroy".equals(method) && !"seal".equals(method)) {
            throw new RuleException.Invalid("\"method\" must be \"destroy\" (delete the archive and its keys, D-31)"
                    + " or \"seal\" (keep it read-only and hidden, D-32), got " + (method == null ? "nothing" : "\"" + method + "\""));
        }
        requireReason(reason);
        List<DestructionListener.Destroyed> destroyed = new ArrayList<>();
        Decided decided;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                ArchiveLock.hold(c); // no intake adds to an archive while it goes
                Proposal proposal = decidable(c, proposalId, approver);
                List<Line> chosen = chosen(proposal, lineNos);
                for (Line line : chosen) {
                    destroyed.addAll(apply(c, proposal, line, method, reason, approver, role));
                }
                decided = new Decided(proposalId, method, null, settle(c, proposalId));
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
            decided = new Decided(proposalId, method, lines(show(c, proposalId, false), lineNos), decided.proposalStatus());
        }
        if (!destroyed.isEmpty()) {
            for (DestructionListener listener : listeners) {
                try {
                    listener.destroyed(destroyed);
                } catch (Exception e) {
                    LOG.error("After destroying {}: {} failed — the destruction stands; run it again by hand ({})",
                            destroyed.stream().map(DestructionListener.Destroyed::archiveNo).toList(),
                            listener.getClass().getName(), e.toString(), e);
                }
            }
        }
        return decided;
    }

    /** Rejects lines of a proposal (all pending lines when {@code lineNos} is empty): nothing is destroyed. */
    public Decided reject(long proposalId, List<Integer> lineNos, String reason, String by, Role role) throws SQLException {
        requireReason(reason);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            Decided decided;
            try {
                Proposal proposal = decidable(c, proposalId, by);
                for (Line line : chosen(proposal, lineNos)) {
                    decide(c, proposalId, line.lineNo(), "rejected", by, reason, null);
                    closeRequests(c, line, false, "refused", by, "deletion refused: " + reason);
                    audit.record(c, new AuditEntry(by, label(role), "reject-destruction", line.archiveNo(), List.of(), proposal.reason(),
                            null, AuditEntry.OK, "destruction proposal #" + proposalId + " line " + line.lineNo()
                            + " rejected: " + reason));
                }
                String status = settle(c, proposalId);
                c.commit();
                decided = new Decided(proposalId, "reject", null, status);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            return new Decided(proposalId, "reject", lines(show(c, proposalId, false), lineNos), decided.proposalStatus());
        }
    }

    /** Unseals an archive (D-32): it is visible and changeable again. */
    public Map<String, Object> unseal(String archiveNo, String reason, String by, Role role) throws SQLException {
        requireReason(reason);
        Transactions.inTransaction(dataSource, c -> {
            long id;
            String sealedBy;
            try (PreparedStatement ps = c.prepareStatement(
                    "select id, sealed_at, sealed_by from customer where archive_no = ? for update")) {
                ps.setString(1, archiveNo);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new RuleException.NotFound("no archive " + archiveNo + ": check the archive number");
                    if (rs.getObject(2) == null) throw new RuleException.Conflict("archive " + archiveNo + " is not sealed");
                    id = rs.getLong(1);
                    sealedBy = rs.getString(3);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    update customer set sealed_at = null, sealed_by = null, sealed_reason = null, status = 'active'
                    where id = ?""")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            changeLog(c, id, "sealed", "sealed by " + sealedBy, null, by, "unsealed: " + reason, "unseal by " + role + " (API)");
            audit.record(c, new AuditEntry(by, label(role), "unseal", archiveNo, List.of(), null, null, AuditEntry.OK, "unsealed: " + reason));
        });
        LOG.info("Archive {} unsealed by {}: {}", archiveNo, by, reason);
        return Map.of("archive_no", archiveNo, "sealed", false, "unsealed_by", by);
    }

    private Proposal decidable(Connection c, long proposalId, String decider) throws SQLException {
        Proposal proposal = show(c, proposalId, true);
        if (proposal.filedBy().equals(decider)) {
            throw new RuleException.NotPermitted("you filed destruction proposal #" + proposalId
                    + ": another manager decides it (D-31: application, then a supervisor's approval)");
        }
        if (!"open".equals(proposal.status())) {
            throw new RuleException.Conflict("destruction proposal #" + proposalId + " is already decided");
        }
        return proposal;
    }

    private static List<Line> chosen(Proposal proposal, List<Integer> lineNos) {
        if (lineNos == null || lineNos.isEmpty()) {
            return proposal.lines().stream().filter(l -> "pending".equals(l.status())).toList();
        }
        List<Line> chosen = new ArrayList<>();
        for (int no : new LinkedHashSet<>(lineNos)) {
            Line line = proposal.lines().stream().filter(l -> l.lineNo() == no).findFirst().orElseThrow(
                    () -> new RuleException.Invalid("destruction proposal #" + proposal.id() + " has no line " + no
                            + " (lines 1 to " + proposal.lineCount() + ")"));
            if (!"pending".equals(line.status())) {
                throw new RuleException.Conflict("line " + no + " of destruction proposal #" + proposal.id() + " is already "
                        + line.status() + "; leave it out");
            }
            chosen.add(line);
        }
        return chosen;
    }

    private static List<Line> lines(Proposal proposal, List<Integer> lineNos) {
        if (lineNos == null || lineNos.isEmpty()) return proposal.lines();
        Set<Integer> wanted = Set.copyOf(lineNos);
        return proposal.lines().stream().filter(l -> wanted.contains(l.lineNo())).toList();
    }

    private List<DestructionListener.Destroyed> apply(Connection c, Proposal proposal, Line line, String method, String reason,
                                                      String approver, Role role) throws SQLException {
        if ("seal".equals(method) && !"archive".equals(line.scope())) {
            throw new RuleException.Invalid("line " + line.lineNo() + " of destruction proposal #" + proposal.id()
                    + " proposes only the health facts of archive " + line.archiveNo() + ": destroy or reject it, or leave it out");
        }
        long customerId;
        String mobile;
        String email;
        try (PreparedStatement ps = c.prepareStatement("""
                select c.id, c.mobile, c.email,
                       (select string_agg('#' || h.id || ' ' || h.reason, '; ') from legal_hold h
                        where h.customer_id = c.id and h.released_at is null),
                       c.sealed_at is not null or c.status = 'sealed'
                from customer c join destruction_proposal_line l on l.customer_id = c.id
                where l.proposal_id = ? and l.line_no = ? for update of c""")) {
            ps.setLong(1, proposal.id());
            ps.setInt(2, line.lineNo());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    decide(c, proposal.id(), line.lineNo(), "gone", approver, "the archive no longer exists (destroyed before)", null);
                    return List.of();
                }
                if (rs.getString(4) != null) {
                    throw new RuleException.Conflict("archive " + line.archiveNo() + " (line " + line.lineNo() + ") is under a legal hold ("
                            + rs.getString(4) + "): release the hold first, or leave the line out");
                }
                if (rs.getBoolean(5)) {
                    throw new RuleException.Conflict("archive " + line.archiveNo() + " (line " + line.lineNo() + ") is sealed: it is kept"
                            + " because a record must be kept (D-32); a manager unseals it first, or leave the line out");
                }
                customerId = rs.getLong(1);
                mobile = rs.getString(2);
                email = rs.getString(3);
            }
        }
        if ("retention".equals(proposal.reason()) && line.lastActivity() != null) {
            OffsetDateTime now = lastActivity(c, customerId);
            if (now != null && now.isAfter(line.lastActivity())) {
                decide(c, proposal.id(), line.lineNo(), "stale", approver, "active again since the review (last activity "
                        + now.toLocalDate() + "): neither destroyed nor sealed", null);
                return List.of();
            }
        }
        if ("seal".equals(method)) {
            try (PreparedStatement ps = c.prepareStatement("""
                    update customer set sealed_at = now(), sealed_by = ?, sealed_reason = ?, status = 'sealed'
                    where id = ?""")) {
                ps.setString(1, approver);
                ps.setString(2, reason);
                ps.setLong(3, customerId);
                ps.executeUpdate();
            }
            changeLog(c, customerId, "sealed", null, "sealed by " + approver, approver,
                    "destruction proposal #" + proposal.id() + " line " + line.lineNo() + ": sealed instead of destroyed (D-32): " + reason,
                    "destruction proposal #" + proposal.id() + " line " + line.lineNo());
            decide(c, proposal.id(), line.lineNo(), "sealed", approver, reason, null);
            closeRequests(c, line, false, "refused", approver, "sealed instead of destroyed (D-32): " + reason);
            audit.record(c, new AuditEntry(approver, label(role), "seal", line.archiveNo(), List.of(), proposal.reason(), null,
                    AuditEntry.OK, "destruction proposal #" + proposal.id() + " line " + line.lineNo() + " approved as sealing: " + reason));
            return List.of();
        }
        boolean whole = "archive".equals(line.scope());
        Map<String, Long> counts;
        if (whole) {
            counts = Destruction.destroy(c, customerId, line.archiveNo(), mobile, email);
        } else {
            try (PreparedStatement ps = c.prepareStatement("delete from health_fact where customer_id = ?")) {
                ps.setLong(1, customerId);
                counts = Map.of("health_fact", (long) ps.executeUpdate());
            }
        }
        long recordId;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into destruction_record (archive_no, reason, proposal_id, approved_by, method, counts)
                values (?, ?, ?, ?, ?, ?::jsonb) returning id""")) {
            ps.setString(1, line.archiveNo());
            ps.setString(2, proposal.reason());
            ps.setLong(3, proposal.id());
            ps.setString(4, approver);
            ps.setString(5, whole ? METHOD_ARCHIVE : METHOD_HEALTH);
            ps.setString(6, Api.JSON.writeValueAsString(counts));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                recordId = rs.getLong(1);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        decide(c, proposal.id(), line.lineNo(), "destroyed", approver, reason, recordId);
        closeRequests(c, line, whole, "done", approver, "destroyed: destruction record #" + recordId);
        long rows = counts.values().stream().mapToLong(Long::longValue).sum();
        audit.record(c, new AuditEntry(approver, label(role), "destroy", line.archiveNo(), whole ? ALL_CATEGORIES : List.of("health"),
                proposal.reason(), null, AuditEntry.OK, "destruction proposal #" + proposal.id() + " line " + line.lineNo()
                + " approved: " + (whole ? METHOD_ARCHIVE : METHOD_HEALTH) + ", " + rows + " rows in " + counts.size()
                + " tables, destruction record #" + recordId + "; reason: " + reason));
        LOG.info("Archive {} destroyed ({}): destruction record #{}, {} rows in {} tables, approved by {}",
                line.archiveNo(), whole ? METHOD_ARCHIVE : METHOD_HEALTH, recordId, rows, counts.size(), approver);
        return List.of(new DestructionListener.Destroyed(customerId, line.archiveNo(), recordId, whole));
    }

    private static OffsetDateTime lastActivity(Connection c, long customerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select last_activity from archive_last_activity where customer_id = ?")) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
            }
        }
    }

    private static void decide(Connection c, long proposalId, int lineNo, String status, String by, String reason, Long recordId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update destruction_proposal_line set status = ?, decided_by = ?, decided_at = now(), decision_reason = ?,
                                                     destruction_id = ?
                where proposal_id = ? and line_no = ?""")) {
            ps.setString(1, status);
            ps.setString(2, by);
            ps.setString(3, reason);
            ps.setObject(4, recordId);
            ps.setLong(5, proposalId);
            ps.setInt(6, lineNo);
            ps.executeUpdate();
        }
    }

    /**
     * Closes the line's subject request; with {@code everyDeletion} (the archive is destroyed) also every
     * other open deletion request of that archive — a rejected or sealed line leaves those to their own proposal.
     */
    private static void closeRequests(Connection c, Line line, boolean everyDeletion, String status, String by, String outcome)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update subject_request set status = ?, closed_at = now(), closed_by = ?, outcome = ?
                where status = 'open' and (id = ? or (? and archive_no = ? and kind = 'deletion'))""")) {
            ps.setString(1, status);
            ps.setString(2, by);
            ps.setString(3, outcome);
            ps.setObject(4, line.subjectRequestId());
            ps.setBoolean(5, everyDeletion);
            ps.setString(6, line.archiveNo());
            ps.executeUpdate();
        }
    }

    private static String settle(Connection c, long proposalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update destruction_proposal p set status = 'decided', decided_at = now()
                where p.id = ? and not exists (select 1 from destruction_proposal_line l
                                               where l.proposal_id = p.id and l.status = 'pending')""")) {
            ps.setLong(1, proposalId);
            return ps.executeUpdate() > 0 ? "decided" : "open";
        }
    }

    private static void changeLog(Connection c, long customerId, String field, String oldValue, String newValue, String by,
                                  String reason, String source) {
        ChangeLog.write(c, ChangeLog.Change.of(customerId, field, oldValue, newValue, by, reason).from(source));
    }

    /** The role as the audit log writes it; none for a request that came by mail. */
    private static String label(Role role) {
        return role == null ? null : role.label();
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new RuleException.Invalid("\"reason\" is required: say why (it is kept with the decision)");
        }
        if (reason.length() > 1000) throw new RuleException.Invalid("\"reason\" is longer than 1000 characters");
    }
}
