package dangan.surveys;

import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.intake.IngestRun;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.privacy.SensitiveFields;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * Files the responses of one file or POST in one transaction: each response is received once by
 * its survey_id; a matched one becomes feedback (kind 'score') on the archive — and an open
 * complaint when the score is at or below the threshold — and an unmatched one waits in the review
 * queue. Rejects and warnings go to intake_issue (the raw response encrypted), the counts to the
 * ingest ledger, where they reconcile.
 */
public final class SurveyFiling {

    private final DataSource dataSource;
    private final SensitiveFields sensitive;
    private final ObjectMapper json;
    private final int complaintAtOrBelow;
    private final AuditTrail audit;

    public SurveyFiling(DataSource dataSource, SensitiveFields sensitive, ObjectMapper json, int complaintAtOrBelow) {
        this.dataSource = dataSource;
        this.audit = new AuditTrail(dataSource);
        this.sensitive = sensitive;
        this.json = json;
        this.complaintAtOrBelow = complaintAtOrBelow;
    }

    public SurveyOutcome file(IngestRun run, List<SurveyEntry> entries) throws SQLException {
        SurveyOutcome outcome = new SurveyOutcome(run.id());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (SurveyEntry entry : entries) {
                    fileOne(c, run.id(), entry, outcome);
                }
                finish(c, run.id(), outcome);
                if (outcome.filed() > 0) {
                    audit.record(c, AuditEntry.system(run.channel(), "change", null, "ingest #" + run.id() + ": "
                            + outcome.filed() + " survey response(s) filed as feedback, " + outcome.complaints() + " complaint(s)"));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return outcome;
    }

    private void fileOne(Connection c, long ingestId, SurveyEntry entry, SurveyOutcome outcome) throws SQLException {
        if (entry.rejected()) {
            for (SurveyProblem problem : entry.rejects()) issue(c, ingestId, entry, problem, "reject");
            outcome.rejected(entry);
            return;
        }
        for (SurveyProblem problem : entry.warnings()) issue(c, ingestId, entry, problem, "warning");
        outcome.warnings(entry.warnings());
        SurveyResponse response = entry.response();
        ArchiveMatch match = ArchiveMatch.find(c, response);
        if (!receive(c, response, match, ingestId, entry.number())) {
            outcome.duplicate();
            return;
        }
        if (match.found()) {
            outcome.filed(fileFeedback(c, match.customerId(), response, ingestId, entry.number()));
        } else {
            queue(c, response, match.reason(), ingestId, entry.number());
            outcome.queued();
        }
    }

    /** Records the survey_id; false when it was received before (a replay: nothing is filed twice). */
    private boolean receive(Connection c, SurveyResponse r, ArchiveMatch match, long ingestId, int line) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into survey_response (survey_id, customer_id, status, score, submitted_at, answers,
                                             source_ingest_id, source_line, filed_at)
                values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, case when ? then now() end)
                on conflict (survey_id) do nothing""")) {
            ps.setString(1, r.surveyId());
            ps.setObject(2, match.customerId(), Types.BIGINT);
            ps.setString(3, match.found() ? "filed" : "review");
            ps.setInt(4, r.score());
            ps.setObject(5, r.submittedAt());
            ps.setString(6, r.answers() == null ? null : r.answers().toString());
            ps.setLong(7, ingestId);
            ps.setInt(8, line);
            ps.setBoolean(9, match.found());
            return ps.executeUpdate() == 1;
        }
    }

    /** Files a response as feedback on an archive; returns true when it also opened a complaint. */
    boolean fileFeedback(Connection c, long customerId, SurveyResponse r, long ingestId, int line) throws SQLException {
        if (r.consent() != null) recordConsent(c, customerId, r.consent(), ingestId, line);
        boolean complaint = r.score() <= complaintAtOrBelow;
        try (PreparedStatement ps = c.prepareStatement("""
                insert into feedback (customer_id, kind, score, nps, comment, service, staff, status, handling, closed_at,
                                      submitted_at, source_ingest_id, source_line)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, case when ? = 'closed' then now() end, ?, ?, ?)""")) {
            insertFeedback(ps, customerId, r, ingestId, line, "score", "closed",
                    "satisfaction score from a survey; nothing to follow up");
            if (complaint) {
                insertFeedback(ps, customerId, r, ingestId, line, "complaint", "open", null);
                dangan.notify.Outbox.record(c, "complaint", customerId, complaintPayload(c, customerId, r));
            }
        }
        return complaint;
    }

    /** Consent the response carries (PIPL, D-28), unless it repeats the customer's latest decision with the same wording. */
    private static void recordConsent(Connection c, long customerId, dangan.intake.CustomerRow.Consent consent, long ingestId,
                                      int line) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by, source_ingest_id, source_line)
                select ?, p.purpose, p.granted, 'survey:' || i.channel, ?, 'survey', i.id, ?
                from ingest i cross join (values ('contact', ?::boolean), ('marketing', ?::boolean), ('sensitive', ?::boolean)) p(purpose, granted)
                where i.id = ? and p.granted is not null
                  and not exists (select 1 from (select k.granted, k.wording_version from consent k
                                                 where k.customer_id = ? and k.purpose = p.purpose
                                                 order by k.recorded_at desc, k.id desc limit 1) last
                                  where last.granted = p.granted and last.wording_version is not distinct from ?)""")) {
            ps.setLong(1, customerId);
            ps.setString(2, consent.version());
            ps.setInt(3, line);
            ps.setObject(4, consent.contact(), java.sql.Types.BOOLEAN);
            ps.setObject(5, consent.marketing(), java.sql.Types.BOOLEAN);
            ps.setObject(6, consent.sensitive(), java.sql.Types.BOOLEAN);
            ps.setLong(7, ingestId);
            ps.setLong(8, customerId);
            ps.setString(9, consent.version());
            ps.executeUpdate();
        }
    }

    /**
     * The complaint event's payload (D-22): who, the score, the service and whether the guest wrote
     * something. Not the comment itself: free text can carry health data, and a notification leaves
     * the archive; staff read it in the archive's feedback, where the read is audited.
     */
    private String complaintPayload(Connection c, long customerId, SurveyResponse r) throws SQLException {
        var node = json.createObjectNode();
        try (PreparedStatement ps = c.prepareStatement("select archive_no, name from customer where id = ?")) {
            ps.setLong(1, customerId);
            try (var rs = ps.executeQuery()) {
                if (rs.next()) {
                    node.put("archive_no", rs.getString(1));
                    node.put("name", rs.getString(2));
                }
            }
        }
        node.put("source", "survey");
        node.put("survey_id", r.surveyId());
        node.put("score", r.score());
        if (r.nps() != null) node.put("nps", r.nps());
        node.put("has_comment", r.comment() != null && !r.comment().isBlank());
        node.put("service", r.service());
        node.put("staff", r.staff());
        node.put("submitted_at", r.submittedAt() == null ? null : r.submittedAt().toString());
        return node.toString();
    }

    private static void insertFeedback(PreparedStatement ps, long customerId, SurveyResponse r, long ingestId, int line,
                                       String kind, String status, String handling) throws SQLException {
        ps.setLong(1, customerId);
        ps.setString(2, kind);
        ps.setInt(3, r.score());
        ps.setObject(4, r.nps(), Types.SMALLINT);
        ps.setString(5, r.comment());
        ps.setString(6, r.service());
        ps.setString(7, r.staff());
        ps.setString(8, status);
        ps.setString(9, handling);
        ps.setString(10, status);
        ps.setObject(11, r.submittedAt());
        ps.setLong(12, ingestId);
        ps.setInt(13, line);
        ps.executeUpdate();
    }

    private void queue(Connection c, SurveyResponse r, String reason, long ingestId, int line) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into survey_review (survey_id, payload, reason, source_ingest_id, source_line)
                values (?, ?::jsonb, ?, ?, ?)""")) {
            ps.setString(1, r.surveyId());
            ps.setString(2, r.toDefaultFormat(json).toString());
            ps.setString(3, reason);
            ps.setLong(4, ingestId);
            ps.setInt(5, line);
            ps.executeUpdate();
        }
    }

    private void issue(Connection c, long ingestId, SurveyEntry entry, SurveyProblem problem, String severity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity, raw_enc)
                values (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setLong(1, ingestId);
            ps.setInt(2, entry.number());
            ps.setString(3, problem.column());
            ps.setString(4, problem.value());
            ps.setString(5, problem.reason());
            ps.setString(6, severity);
            ps.setBytes(7, "reject".equals(severity) ? sensitive.encrypt(entry.raw()) : null);
            ps.executeUpdate();
        }
    }

    private static void finish(Connection c, long ingestId, SurveyOutcome o) throws SQLException {
        if (o.responses() != o.filed() + o.review() + o.duplicates() + o.rejected()) {
            throw new IllegalStateException("survey counts do not reconcile for ingest " + ingestId);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update ingest set status = 'done', format = 'json', rows_total = ?, rows_new = 0, rows_updated = ?,
                       rows_duplicate = ?, rows_rejected = ?, rows_review = ?, warnings = ?, finished_at = clock_timestamp()
                where id = ?""")) {
            ps.setInt(1, o.responses());
            ps.setInt(2, o.filed());
            ps.setInt(3, o.duplicates());
            ps.setInt(4, o.rejected());
            ps.setInt(5, o.review());
            ps.setInt(6, o.warnings().size());
            ps.setLong(7, ingestId);
            ps.executeUpdate();
        }
    }
}
