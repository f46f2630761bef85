package dangan.surveys;

import dangan.i18n.Localized;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Request;
import dangan.archive.ChangeLog;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.i18n.Localized;
import dangan.i18n.Messages;
import dangan.normalise.Text;
import dangan.rules.RuleException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.List;

/**
 * The review queue of survey responses that matched no archive (table survey_review): the
 * scheduled {@link #rematch} files those a later intake made matchable; {@link #link} files one
 * on the archive a person names; {@link #linkRequest} and {@link #pendingRequest} serve
 * {@code POST /api/surveys/review/{id}/link} and {@code GET /api/surveys/review} to the archive
 * keeper and managers (staff tokens, routes/surveys.yaml); the shared survey token guards only
 * {@code POST /api/surveys}.
 */
public final class SurveyReview {

    private static final Logger LOG = LoggerFactory.getLogger(SurveyReview.class);
    private static final int BATCH = 500;

    private final Jdbi jdbi;
    private final SurveyFiling filing;
    private final SurveyReader defaultFormat;
    private final ObjectMapper json;
    private final AuditTrail audit;

    SurveyReview(DataSource dataSource, SurveyFiling filing, SurveyReader defaultFormat, ObjectMapper json, AuditTrail audit) {
        this.jdbi = Db.jdbi(dataSource);
        this.filing = filing;
        this.defaultFormat = defaultFormat;
        this.json = json;
        this.audit = audit;
    }

    /** A review entry filed on its archive: the message a person reads, and whether its score opened a complaint. */
    public record LinkResult(Localized message, String archiveNo, boolean complaint) {
    }

    /** A pending entry as the re-match reads it. */
    private record Pending(long id, String surveyId, String payload, String reason, long ingestId, int line) {
    }

    /** Files the pending responses that now match an archive; returns how many. Never throws (a timer calls it). */
    public int rematch() {
        int linked;
        try {
            linked = jdbi.inTransaction(h -> {
                int filed = 0;
                List<Pending> pending = h.createQuery("""
                                select id, survey_id, payload::text as payload, reason, source_ingest_id, source_line from survey_review
                                where status = 'pending' order by id limit :batch for update skip locked""")
                        .bind("batch", BATCH)
                        .map((rs, ctx) -> new Pending(rs.getLong("id"), rs.getString("survey_id"), rs.getString("payload"),
                                rs.getString("reason"), rs.getLong("source_ingest_id"), rs.getInt("source_line")))
                        .list();
                for (Pending p : pending) {
                    SurveyResponse response;
                    try {
                        response = response(p.payload(), p.line());
                    } catch (IllegalStateException unreadable) {
                        LOG.warn(filing.messages().text("log.surveys.unmatchable", "entry", String.valueOf(p.id()),
                                "problem", String.valueOf(unreadable.getMessage())));
                        String reason = filing.messages().text("surveys.match.unreadable");
                        if (!reason.equals(p.reason())) updateReason(h, p.id(), reason);
                        continue;
                    }
                    ArchiveMatch match = ArchiveMatch.find(h, response);
                    if (match.found()) {
                        filing.fileFeedback(h, match.customerId(), response, p.ingestId(), p.line());
                        markLinked(h, p.id(), p.surveyId(), match.customerId(), "re-match");
                        filed++;
                    } else {
                        String reason = match.reason().in(filing.messages());
                        if (!reason.equals(p.reason())) updateReason(h, p.id(), reason);
                    }
                }
                return filed;
            });
        } catch (RuntimeException e) {
            LOG.error(filing.messages().text("log.surveys.rematch-failed", "problem", String.valueOf(e.getMessage())));
            return 0;
        }
        if (linked > 0) LOG.info(filing.messages().text("log.surveys.rematched", "count", linked));
        return linked;
    }

    /**
     * Files review entry {@code reviewId} on archive {@code archiveNo}; {@code by} is the person deciding (D-27).
     * An entry or archive that does not exist is {@link RuleException.NotFound}; an entry linked before or a
     * sealed archive {@link RuleException.Conflict} — nothing is filed then.
     */
    public LinkResult link(long reviewId, String archiveNo, String by) {
        return jdbi.inTransaction(h -> link(h, reviewId, archiveNo, by));
    }

    private LinkResult link(Handle h, long reviewId, String archiveNo, String by) {
        record Entry(String surveyId, String payload, String status, long ingestId, int line, String archiveNo, Object linkedAt) {
        }
        Entry entry = h.createQuery("""
                        select r.survey_id, r.payload::text as payload, r.status, r.source_ingest_id, r.source_line, c.archive_no, r.linked_at
                        from survey_review r left join customer c on c.id = r.customer_id where r.id = :id for update of r""")
                .bind("id", reviewId)
                .map((rs, ctx) -> new Entry(rs.getString("survey_id"), rs.getString("payload"), rs.getString("status"),
                        rs.getLong("source_ingest_id"), rs.getInt("source_line"), rs.getString("archive_no"), rs.getObject("linked_at")))
                .findOne().orElseThrow(() -> RuleException.notFound("refusal.survey-review.none", "id", String.valueOf(reviewId)));
        if ("linked".equals(entry.status())) {
            throw RuleException.conflict("refusal.survey-review.linked", "id", String.valueOf(reviewId), "archive", entry.archiveNo(),
                    "at", String.valueOf(entry.linkedAt()));
        }
        record Archive(long id, String status) {
        }
        Archive archive = h.createQuery(
                        "select id, case when sealed_at is not null then 'sealed' else status end as status from customer where archive_no = :archiveNo")
                .bind("archiveNo", archiveNo)
                .map((rs, ctx) -> new Archive(rs.getLong("id"), rs.getString("status")))
                .findOne().orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", archiveNo));
        if ("sealed".equals(archive.status())) {
            throw RuleException.conflict("refusal.archive.sealed", "archive", archiveNo);
        }
        long customerId = archive.id();
        String surveyId = entry.surveyId();
        long ingestId = entry.ingestId();
        int line = entry.line();
        SurveyResponse response = response(entry.payload(), line);
        boolean complaint = filing.fileFeedback(h, customerId, response, ingestId, line);
        markLinked(h, reviewId, surveyId, customerId, by);
        ChangeLog.write(h, ChangeLog.Change.of(customerId, "feedback", null,
                        audit.messages().text("audit.survey.feedback", "survey", surveyId, "score", String.valueOf(response.score()),
                                "complaint", complaint ? "yes" : "no"), by,
                        audit.messages().text("audit.change.survey-linked", "id", reviewId))
                .fromLine(ingestId, line));
        LOG.info(filing.messages().text("log.surveys.linked", "entry", String.valueOf(reviewId), "archive", archiveNo, "by", by));
        return new LinkResult(Localized.of("surveys.linked", "survey", surveyId, "archive", archiveNo,
                "complaint", complaint ? "yes" : "no"), archiveNo, complaint);
    }

    /**
     * {@code POST /api/surveys/review/{id}/link} with {@code {"archive_no": "…"}}, by the archive keeper or
     * a manager (staff token, D-24): the decider recorded is the authenticated caller, never a name from
     * the body; the link and its audit entry commit together.
     */
    public void linkRequest(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        long reviewId = Request.id(exchange, "id");
        JsonNode body = Api.readJson(exchange);
        String given = Text.clean(body.path("archive_no").asText(null));
        if (given == null) {
            throw ApiProblem.localized(400, "api.survey-review.archive");
        }
        String archiveNo = Request.archiveNo(given);
        LinkResult result = jdbi.inTransaction(h -> {
            LinkResult linked = link(h, reviewId, archiveNo, caller.name());
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "change", archiveNo, List.of("feedback"),
                    null, null, AuditEntry.OK, Localized.of("audit.survey.linked", "id", reviewId, "archive", linked.archiveNo(),
                    "complaint", linked.complaint() ? "yes" : "no")));
            return linked;
        });
        Messages said = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class),
                filing.messages().language());
        ObjectNode answer = json.createObjectNode().put("review", reviewId).put("message", result.message().in(said))
                .put("archive_no", result.archiveNo()).put("complaint", result.complaint()).put("linked_by", caller.name());
        exchange.getMessage().setBody(answer);
    }

    /**
     * {@code GET /api/surveys/review}, by the archive keeper or a manager: the pending entries, oldest first
     * (the payload as received). It shows contact data, so each look is audited.
     */
    public void pendingRequest(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        ArrayNode list = json.createArrayNode();
        record Item(long id, String surveyId, String reason, String payload, Object receivedAt, String source, int line) {
        }
        List<Item> items = jdbi.withHandle(h -> h.createQuery("""
                        select r.id, r.survey_id, r.reason, r.payload::text as payload, r.created_at, g.source_name, r.source_line
                        from survey_review r left join ingest g on g.id = r.source_ingest_id
                        where r.status = 'pending' order by r.id limit 1000""")
                .map((rs, ctx) -> new Item(rs.getLong("id"), rs.getString("survey_id"), rs.getString("reason"), rs.getString("payload"),
                        rs.getObject("created_at"), rs.getString("source_name"), rs.getInt("source_line")))
                .list());
        for (Item i : items) {
            ObjectNode item = list.addObject();
            item.put("id", i.id()).put("survey_id", i.surveyId()).put("reason", i.reason());
            item.set("response", json.readTree(i.payload()));
            item.put("received_at", i.receivedAt().toString()).put("source", i.source()).put("response_no", i.line());
        }
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of("basic", "feedback"), null, null,
                AuditEntry.OK, Localized.of("audit.survey.review-list", "call", "GET /api/surveys/review", "count", list.size())));
        exchange.getMessage().setBody(json.createObjectNode().set("pending", list));
    }

    private SurveyResponse response(String payload, int line) {
        try {
            SurveyEntry entry = defaultFormat.check(json.readTree(payload), line, "$");
            if (entry.rejected()) throw new IllegalStateException("review payload no longer reads: " + entry.rejects());
            return entry.response();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("review payload is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void markLinked(Handle h, long reviewId, String surveyId, long customerId, String by) {
        h.createUpdate("update survey_review set status = 'linked', customer_id = :customer, linked_by = :by, linked_at = now() where id = :id")
                .bind("customer", customerId).bind("by", by).bind("id", reviewId).execute();
        h.createUpdate("update survey_response set status = 'filed', customer_id = :customer, filed_at = now() where survey_id = :surveyId")
                .bind("customer", customerId).bind("surveyId", surveyId).execute();
    }

    private static void updateReason(Handle h, long reviewId, String reason) {
        h.createUpdate("update survey_review set reason = :reason where id = :id").bind("reason", reason).bind("id", reviewId).execute();
    }
}
