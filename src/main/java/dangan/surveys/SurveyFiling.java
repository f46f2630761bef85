package dangan.surveys;

import dangan.i18n.Localized;

import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.intake.IngestRun;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.i18n.Messages;
import dangan.privacy.SensitiveFields;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.List;

/**
 * Files the responses of one file or POST in one transaction: each response is received once by
 * its survey_id; a matched one becomes feedback (kind 'score') on the archive — and an open
 * complaint when the score is at or below the threshold — and an unmatched one waits in the review
 * queue. Rejects and warnings go to intake_issue (the raw response encrypted), the counts to the
 * ingest ledger, where they reconcile.
 */
public final class SurveyFiling {

    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final ObjectMapper json;
    private final int complaintAtOrBelow;
    private final AuditTrail audit;
    private final Messages messages;

    /** @param messages the language the reasons of rejected responses and of the review queue are written in */
    public SurveyFiling(DataSource dataSource, SensitiveFields sensitive, ObjectMapper json, int complaintAtOrBelow,
                        AuditTrail audit, Messages messages) {
        this.jdbi = Db.jdbi(dataSource);
        this.messages = messages;
        this.audit = audit;
        this.sensitive = sensitive;
        this.json = json;
        this.complaintAtOrBelow = complaintAtOrBelow;
    }

    /** The language the reasons are written in (dangan.locale). */
    Messages messages() {
        return messages;
    }

    public SurveyOutcome file(IngestRun run, List<SurveyEntry> entries) {
        SurveyOutcome outcome = new SurveyOutcome(run.id());
        jdbi.useTransaction(h -> {
            for (SurveyEntry entry : entries) {
                fileOne(h, run.id(), entry, outcome);
            }
            finish(h, run.id(), outcome);
            if (outcome.filed() > 0) {
                audit.record(h, AuditEntry.system(run.channel(), "change", null, Localized.of("audit.survey.filed", "id", run.id(),
                        "filed", outcome.filed(), "complaints", outcome.complaints())));
            }
        });
        return outcome;
    }

    private void fileOne(Handle h, long ingestId, SurveyEntry entry, SurveyOutcome outcome) {
        if (entry.rejected()) {
            for (SurveyProblem problem : entry.rejects()) issue(h, ingestId, entry, problem, "reject");
            outcome.rejected(entry);
            return;
        }
        for (SurveyProblem problem : entry.warnings()) issue(h, ingestId, entry, problem, "warning");
        outcome.warnings(entry.warnings());
        SurveyResponse response = entry.response();
        ArchiveMatch match = ArchiveMatch.find(h, response);
        if (!receive(h, response, match, ingestId, entry.number())) {
            outcome.duplicate();
            return;
        }
        if (match.found()) {
            outcome.filed(fileFeedback(h, match.customerId(), response, ingestId, entry.number()));
        } else {
            queue(h, response, match.reason().in(messages), ingestId, entry.number());
            outcome.queued();
        }
    }

    /** Records the survey_id; false when it was received before (a replay: nothing is filed twice). */
    private boolean receive(Handle h, SurveyResponse r, ArchiveMatch match, long ingestId, int line) {
        return h.createUpdate("""
                        insert into survey_response (survey_id, customer_id, status, score, submitted_at, answers,
                                                     source_ingest_id, source_line, filed_at)
                        values (:surveyId, :customer, :status, :score, :submittedAt, cast(:answers as jsonb), :ingest, :line,
                                case when :found then now() end)
                        on conflict (survey_id) do nothing""")
                .bind("surveyId", r.surveyId()).bind("customer", match.customerId()).bind("status", match.found() ? "filed" : "review")
                .bind("score", r.score()).bind("submittedAt", r.submittedAt())
                .bind("answers", r.answers() == null ? null : r.answers().toString())
                .bind("ingest", ingestId).bind("line", line).bind("found", match.found())
                .execute() == 1;
    }

    /** Files a response as feedback on an archive; returns true when it also opened a complaint. */
    boolean fileFeedback(Handle h, long customerId, SurveyResponse r, long ingestId, int line) {
        if (r.consent() != null) recordConsent(h, customerId, r.consent(), ingestId, line);
        boolean complaint = r.score() <= complaintAtOrBelow;
        insertFeedback(h, customerId, r, ingestId, line, "score", "closed", "satisfaction score from a survey; nothing to follow up");
        if (complaint) {
            insertFeedback(h, customerId, r, ingestId, line, "complaint", "open", null);
            dangan.notify.Outbox.record(h, "complaint", customerId, complaintPayload(h, customerId, r));
        }
        return complaint;
    }

    /** Consent the response carries (PIPL, D-28), unless it repeats the customer's latest decision with the same wording. */
    private static void recordConsent(Handle h, long customerId, dangan.intake.CustomerRow.Consent consent, long ingestId, int line) {
        h.createUpdate("""
                        insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by, source_ingest_id, source_line)
                        select :customer, p.purpose, p.granted, 'survey:' || i.channel, :version, 'survey', i.id, :line
                        from ingest i cross join (values ('contact', cast(:contact as boolean)), ('marketing', cast(:marketing as boolean)),
                                                         ('sensitive', cast(:sensitive as boolean))) p(purpose, granted)
                        where i.id = :ingest and p.granted is not null
                          and not exists (select 1 from (select k.granted, k.wording_version from consent k
                                                         where k.customer_id = :customer and k.purpose = p.purpose
                                                         order by k.recorded_at desc, k.id desc limit 1) last
                                          where last.granted = p.granted and last.wording_version is not distinct from :version)""")
                .bind("customer", customerId).bind("version", consent.version()).bind("line", line)
                .bind("contact", consent.contact()).bind("marketing", consent.marketing()).bind("sensitive", consent.sensitive())
                .bind("ingest", ingestId)
                .execute();
    }

    /**
     * The complaint event's payload (D-22): who, the score, the service and whether the guest wrote
     * something. Not the comment itself: free text can carry health data, and a notification leaves
     * the archive; staff read it in the archive's feedback, where the read is audited.
     */
    private String complaintPayload(Handle h, long customerId, SurveyResponse r) {
        var node = json.createObjectNode();
        h.createQuery("select archive_no, name from customer where id = :id").bind("id", customerId)
                .map((rs, ctx) -> node.put("archive_no", rs.getString("archive_no")).put("name", rs.getString("name")))
                .findOne();
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

    private static void insertFeedback(Handle h, long customerId, SurveyResponse r, long ingestId, int line,
                                       String kind, String status, String handling) {
        h.createUpdate("""
                        insert into feedback (customer_id, kind, score, nps, comment, service, staff, status, handling, closed_at,
                                              submitted_at, source_ingest_id, source_line)
                        values (:customer, :kind, :score, :nps, :comment, :service, :staff, :status, :handling,
                                case when :status = 'closed' then now() end, :submittedAt, :ingest, :line)""")
                .bind("customer", customerId).bind("kind", kind).bind("score", r.score()).bind("nps", r.nps())
                .bind("comment", r.comment()).bind("service", r.service()).bind("staff", r.staff()).bind("status", status)
                .bind("handling", handling).bind("submittedAt", r.submittedAt()).bind("ingest", ingestId).bind("line", line)
                .execute();
    }

    private void queue(Handle h, SurveyResponse r, String reason, long ingestId, int line) {
        h.createUpdate("""
                        insert into survey_review (survey_id, payload, reason, source_ingest_id, source_line)
                        values (:surveyId, cast(:payload as jsonb), :reason, :ingest, :line)""")
                .bind("surveyId", r.surveyId()).bind("payload", r.toDefaultFormat(json).toString()).bind("reason", reason)
                .bind("ingest", ingestId).bind("line", line)
                .execute();
    }

    private void issue(Handle h, long ingestId, SurveyEntry entry, SurveyProblem problem, String severity) {
        h.createUpdate("""
                        insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity, raw_enc)
                        values (:ingest, :line, :column, :value, :reason, :severity, :raw)""")
                .bind("ingest", ingestId).bind("line", entry.number()).bind("column", problem.column()).bind("value", problem.value())
                .bind("reason", problem.reason().in(messages)).bind("severity", severity)
                .bind("raw", "reject".equals(severity) ? sensitive.encrypt(entry.raw()) : null)
                .execute();
    }

    private static void finish(Handle h, long ingestId, SurveyOutcome o) {
        if (o.responses() != o.filed() + o.review() + o.duplicates() + o.rejected()) {
            throw new IllegalStateException("survey counts do not reconcile for ingest " + ingestId);
        }
        h.createUpdate("""
                        update ingest set status = 'done', format = 'json', rows_total = :total, rows_new = 0, rows_updated = :filed,
                               rows_duplicate = :duplicates, rows_rejected = :rejected, rows_review = :review, warnings = :warnings,
                               finished_at = clock_timestamp()
                        where id = :ingest""")
                .bind("total", o.responses()).bind("filed", o.filed()).bind("duplicates", o.duplicates()).bind("rejected", o.rejected())
                .bind("review", o.review()).bind("warnings", o.warnings().size()).bind("ingest", ingestId)
                .execute();
    }
}
