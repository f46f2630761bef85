package dangan.retention;

import dangan.i18n.Localized;
import dangan.i18n.Messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import dangan.access.Api;
import dangan.access.Role;
import dangan.archive.ArchiveLock;
import dangan.archive.ChangeLog;
import dangan.audit.AuditEntry;
import dangan.audit.AuditText;
import dangan.audit.AuditTrail;
import dangan.retention.ProposalShapes.Decided;
import dangan.retention.ProposalShapes.Filed;
import dangan.retention.ProposalShapes.Line;
import dangan.retention.ProposalShapes.Proposal;
import dangan.intake.SealedOriginals;
import dangan.rules.RuleException;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The decisions on destruction proposals (D-31: application → supervisor approval → destruction → record)
 * and sealing (D-32). Filing: the retention review ({@link RetentionReview}) or a customer's deletion
 * request ({@link #fileDeletionRequest}). Deciding: {@link #approve} (method destroy or seal) and
 * {@link #reject}, by a manager who did not file the proposal. Every decision is one transaction:
 * the rows, the destruction records, the audit entries and the subject requests commit together.
 * The rows are read and written by {@link ProposalStore}; the answers are {@link ProposalShapes}.
 */
public final class DestructionProposals {

    private static final Logger LOG = LoggerFactory.getLogger(DestructionProposals.class);
    static final List<String> ALL_CATEGORIES = List.of("basic", "consumption", "preferences", "health", "feedback", "identity");
    /** The roles to whom a sealed archive answers as if it did not exist (D-32). */
    private static final Set<Role> ORDINARY_ROLES = EnumSet.of(Role.FRONT_DESK, Role.SERVICE);

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final RetentionSettings settings;
    private final List<DestructionListener> listeners = new CopyOnWriteArrayList<>();

    public DestructionProposals(DataSource dataSource, AuditTrail audit, RetentionSettings settings) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.settings = settings;
    }

    /** Work to run after each committed destruction (key cache, backups' keyring). */
    public void afterDestruction(DestructionListener listener) {
        listeners.add(listener);
    }

    // ------------------------------------------------------------------ filing

    /**
     * A customer's deletion request: a subject request (kind deletion, due in dangan.rights.due-days)
     * and a proposal with reason customer-request, in one transaction with its audit entry.
     *
     * @param receivedVia how the customer asked (desk, phone, mail, letter, api)
     * @param receivedBy  the member of staff who took it, or system:mail
     */
    public Filed fileDeletionRequest(String archiveNo, String receivedVia, String receivedBy, Role role, String note) {
        Filed filed = jdbi.inTransaction(h -> {
            // a sealed archive does not exist for front desk and service staff (D-32): the same 404 as an unknown one
            ProposalStore.Archive archive = ProposalStore.archive(h, archiveNo)
                    .filter(a -> !(a.sealed() && ORDINARY_ROLES.contains(role)))
                    .orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", archiveNo));
            ProposalStore.Filing request = ProposalStore.deletionRequest(h, archive.customerId(), archiveNo, receivedVia, receivedBy,
                    settings.dueDays());
            long proposalId = ProposalStore.insertProposal(h, "customer-request", receivedBy, note);
            ProposalStore.insertLine(h, proposalId, 1, archive.customerId(), archiveNo, archive.lastActivity(), request.id());
            audit.record(h, new AuditEntry(receivedBy, label(role), "deletion-request", archiveNo, List.of(),
                    audit.messages().text("audit.purpose.deletion-request"), null, AuditEntry.OK, Localized.of("audit.destruction.request",
                    "via", receivedVia, "request", request.id(), "proposal", proposalId)));
            return new Filed(proposalId, request.id(), archiveNo, request.dueAt(), "pending");
        });
        LOG.info(audit.messages().text("log.retention.deletion-request", "archive", archiveNo, "by", receivedBy, "via", receivedVia,
                "request", String.valueOf(filed.subjectRequestId()), "proposal", String.valueOf(filed.proposalId())));
        return filed;
    }

    /**
     * A proposal filed by a member of staff (D-31): archives past their period found by hand
     * ({@code retention}) or damaged ones ({@code damaged}). A customer's own request goes through
     * {@link #fileDeletionRequest} (it is also tracked as a subject request).
     */
    public Proposal fileProposal(List<String> archiveNos, String reason, String note, String by, Role role) {
        if (!"retention".equals(reason) && !"damaged".equals(reason)) {
            throw RuleException.invalid("refusal.destruction.reason", "value", reason == null ? "" : reason);
        }
        if (archiveNos.isEmpty()) throw RuleException.invalid("refusal.destruction.no-archives");
        long proposalId = jdbi.inTransaction(h -> {
            long id = ProposalStore.insertProposal(h, reason, by, note);
            int lineNo = 0;
            for (String archiveNo : new LinkedHashSet<>(archiveNos)) {
                ProposalStore.Archive archive = ProposalStore.archive(h, archiveNo)
                        .orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", archiveNo));
                if (archive.pendingProposal() != null) {
                    throw RuleException.conflict("refusal.destruction.proposed", "archive", archiveNo,
                            "id", String.valueOf(archive.pendingProposal()));
                }
                ProposalStore.insertLine(h, id, ++lineNo, archive.customerId(), archiveNo, archive.lastActivity(), null);
                audit.record(h, new AuditEntry(by, label(role), "propose-destruction", archiveNo, List.of(), purpose(reason), null, AuditEntry.OK,
                        Localized.of("audit.destruction.proposed", "proposal", id, "line", lineNo, "reason", reason)));
            }
            return id;
        });
        LOG.info(audit.messages().text("log.retention.proposal", "proposal", String.valueOf(proposalId), "reason", reason, "by", by,
                "archives", new LinkedHashSet<>(archiveNos).size()));
        return show(proposalId);
    }

    // ------------------------------------------------------------------ reading

    public List<Proposal> list(String status) {
        return jdbi.withHandle(h -> ProposalStore.list(h, status));
    }

    public Proposal show(long id) {
        return jdbi.withHandle(h -> ProposalStore.show(h, id, false));
    }

    // ------------------------------------------------------------------ deciding

    /**
     * Approves lines of a proposal (all pending lines when {@code lineNos} is empty) with method
     * {@code destroy} or {@code seal}, as {@code approver} (a manager; never the proposal's filer).
     */
    public Decided approve(long proposalId, List<Integer> lineNos, String method, String reason, String approver, Role role) {
        if (!"destroy".equals(method) && !"seal".equals(method)) {
            throw RuleException.invalid("refusal.destruction.method", "value", method == null ? "" : method);
        }
        requireReason(reason);
        List<DestructionListener.Destroyed> destroyed = new ArrayList<>();
        String status = jdbi.inTransaction(h -> {
            ArchiveLock.hold(h); // no intake adds to an archive while it goes
            Proposal proposal = decidable(h, proposalId, approver);
            for (Line line : chosen(proposal, lineNos)) {
                destroyed.addAll(apply(h, proposal, line, method, reason, approver, role));
            }
            return ProposalStore.settle(h, proposalId);
        });
        Decided decided = new Decided(proposalId, method, lines(show(proposalId), lineNos), status);
        if (!destroyed.isEmpty()) {
            for (DestructionListener listener : listeners) {
                try {
                    listener.destroyed(destroyed);
                } catch (Exception e) {
                    LOG.error(audit.messages().text("log.retention.after-failed",
                            "archives", destroyed.stream().map(DestructionListener.Destroyed::archiveNo).toList().toString(),
                            "step", listener.getClass().getName(), "problem", e.toString()), e);
                }
            }
        }
        return decided;
    }

    /** Rejects lines of a proposal (all pending lines when {@code lineNos} is empty): nothing is destroyed. */
    public Decided reject(long proposalId, List<Integer> lineNos, String reason, String by, Role role) {
        requireReason(reason);
        String status = jdbi.inTransaction(h -> {
            Proposal proposal = decidable(h, proposalId, by);
            for (Line line : chosen(proposal, lineNos)) {
                ProposalStore.decide(h, proposalId, line.lineNo(), "rejected", by, reason, null);
                ProposalStore.closeRequests(h, line, false, "refused", by,
                        audit.messages().text("records.outcome.deletion-refused", "reason", reason));
                audit.record(h, new AuditEntry(by, label(role), "reject-destruction", line.archiveNo(), List.of(), purpose(proposal.reason()),
                        null, AuditEntry.OK, Localized.of("audit.destruction.rejected", "proposal", proposalId, "line", line.lineNo(),
                        "reason", reason)));
            }
            return ProposalStore.settle(h, proposalId);
        });
        return new Decided(proposalId, "reject", lines(show(proposalId), lineNos), status);
    }

    /** Unseals an archive (D-32): it is visible and changeable again. */
    public Map<String, Object> unseal(String archiveNo, String reason, String by, Role role) {
        requireReason(reason);
        jdbi.useTransaction(h -> {
            ArchiveLock.hold(h); // the archive is written: never between a merge's read of an archive and its update
            ProposalStore.Sealed archive = ProposalStore.sealedForUpdate(h, archiveNo)
                    .orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", archiveNo));
            if (!archive.sealed()) throw RuleException.conflict("refusal.archive.not-sealed", "archive", archiveNo);
            ProposalStore.unseal(h, archive.customerId());
            Messages m = audit.messages();
            changeLog(h, archive.customerId(), "sealed", m.text("audit.sealed-by", "by", archive.sealedBy()), null, by,
                    m.text("audit.change.unsealed", "reason", reason), m.text("records.source.unseal", "role", AuditText.role(label(role))));
            audit.record(h, new AuditEntry(by, label(role), "unseal", archiveNo, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.destruction.unsealed", "reason", reason)));
        });
        LOG.info(audit.messages().text("log.retention.unsealed", "archive", archiveNo, "by", by, "reason", reason));
        return Map.of("archive_no", archiveNo, "sealed", false, "unsealed_by", by);
    }

    private static Proposal decidable(Handle h, long proposalId, String decider) {
        Proposal proposal = ProposalStore.show(h, proposalId, true);
        if (proposal.filedBy().equals(decider)) {
            throw RuleException.notPermitted("refusal.destruction.own", "id", String.valueOf(proposalId));
        }
        if (!"open".equals(proposal.status())) {
            throw RuleException.conflict("refusal.destruction.decided", "id", String.valueOf(proposalId));
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
                    () -> RuleException.invalid("refusal.destruction.no-line", "id", String.valueOf(proposal.id()), "line", no,
                            "lines", proposal.lineCount()));
            if (!"pending".equals(line.status())) {
                throw RuleException.conflict("refusal.destruction.line-decided", "line", no, "id", String.valueOf(proposal.id()),
                        "status", line.status());
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

    private List<DestructionListener.Destroyed> apply(Handle h, Proposal proposal, Line line, String method, String reason,
                                                      String approver, Role role) {
        if ("seal".equals(method) && !"archive".equals(line.scope())) {
            throw RuleException.invalid("refusal.destruction.health-only", "line", line.lineNo(), "id", String.valueOf(proposal.id()),
                    "archive", line.archiveNo());
        }
        ProposalStore.Target target = ProposalStore.target(h, proposal.id(), line.lineNo()).orElse(null);
        if (target == null) {
            ProposalStore.decide(h, proposal.id(), line.lineNo(), "gone", approver, audit.messages().text("records.line.gone"), null);
            return List.of();
        }
        if (target.holds() != null) {
            throw RuleException.conflict("refusal.destruction.hold", "archive", line.archiveNo(), "line", line.lineNo(),
                    "hold", target.holds());
        }
        if (target.sealed()) {
            throw RuleException.conflict("refusal.destruction.sealed", "archive", line.archiveNo(), "line", line.lineNo());
        }
        long customerId = target.customerId();
        if ("retention".equals(proposal.reason()) && line.lastActivity() != null) {
            OffsetDateTime now = ProposalStore.lastActivity(h, customerId);
            if (now != null && now.isAfter(line.lastActivity())) {
                ProposalStore.decide(h, proposal.id(), line.lineNo(), "stale", approver,
                        audit.messages().text("records.line.stale", "last", now.toLocalDate()), null);
                return List.of();
            }
        }
        if ("seal".equals(method)) {
            ProposalStore.seal(h, customerId, approver, reason);
            Messages m = audit.messages();
            changeLog(h, customerId, "sealed", null, m.text("audit.sealed-by", "by", approver), approver,
                    m.text("audit.change.sealed", "proposal", proposal.id(), "line", line.lineNo(), "reason", reason),
                    m.text("records.source.destruction", "proposal", proposal.id(), "line", line.lineNo()));
            ProposalStore.decide(h, proposal.id(), line.lineNo(), "sealed", approver, reason, null);
            ProposalStore.closeRequests(h, line, false, "refused", approver, m.text("records.outcome.sealed", "reason", reason));
            audit.record(h, new AuditEntry(approver, label(role), "seal", line.archiveNo(), List.of(), purpose(proposal.reason()), null,
                    AuditEntry.OK, Localized.of("audit.destruction.sealed", "proposal", proposal.id(), "line", line.lineNo(), "reason", reason)));
            return List.of();
        }
        boolean whole = "archive".equals(line.scope());
        // the sealed originals in done/ that hold lines of this archive: named in the record (issue 10)
        Messages m = audit.messages(); // the record and the request's outcome, in the configured language
        List<Map<String, Object>> originals = SealedOriginals.holding(h, Destruction.sourceIngests(h, customerId), m);
        Map<String, Long> counts = whole
                ? Destruction.destroy(h, customerId, line.archiveNo(), target.mobile(), target.email())
                : Map.of("health_fact", ProposalStore.deleteHealthFacts(h, customerId));
        String countsJson;
        String originalsJson;
        try {
            countsJson = Api.JSON.writeValueAsString(counts);
            originalsJson = Api.JSON.writeValueAsString(originals);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        long recordId = ProposalStore.record(h, line.archiveNo(), proposal.reason(), proposal.id(), approver,
                m.text(whole ? "records.method.archive" : "records.method.health"), countsJson, originalsJson);
        ProposalStore.decide(h, proposal.id(), line.lineNo(), "destroyed", approver, reason, recordId);
        ProposalStore.closeRequests(h, line, whole, "done", approver, m.text("records.outcome.destroyed", "record", recordId));
        long rows = counts.values().stream().mapToLong(Long::longValue).sum();
        audit.record(h, new AuditEntry(approver, label(role), "destroy", line.archiveNo(), whole ? ALL_CATEGORIES : List.of("health"),
                purpose(proposal.reason()), null, AuditEntry.OK, Localized.of("audit.destruction.destroyed", "proposal", proposal.id(),
                "line", line.lineNo(), "whole", whole ? "yes" : "no", "rows", rows, "tables", counts.size(), "record", recordId,
                "reason", reason)));
        LOG.info(m.text("log.retention.destroyed", "archive", line.archiveNo(),
                "method", m.text(whole ? "records.method.archive" : "records.method.health"),
                "record", String.valueOf(recordId), "rows", rows, "tables", counts.size(), "by", approver));
        return List.of(new DestructionListener.Destroyed(customerId, line.archiveNo(), recordId, whole));
    }

    private static void changeLog(Handle h, long customerId, String field, String oldValue, String newValue, String by,
                                  String reason, String source) {
        ChangeLog.write(h, ChangeLog.Change.of(customerId, field, oldValue, newValue, by, reason).from(source));
    }

    /** Why a proposal destroys, as the audit log's purpose says it (the proposal keeps its reason code). */
    private String purpose(String reason) {
        return audit.messages().text("audit.purpose.destruction", "reason", reason.replace('-', '_')); // an ICU select takes no hyphen
    }

    /** The role as the audit log writes it; none for a request that came by mail. */
    private static String label(Role role) {
        return role == null ? null : role.label();
    }

    private static void requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw RuleException.invalid("refusal.reason.required");
        }
        if (reason.length() > 1000) throw RuleException.invalid("refusal.reason.too-long", "max", "1000");
    }
}
