package dangan.surveys;

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
import dangan.normalise.Text;
import dangan.rules.RuleException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    private final DataSource dataSource;
    private final SurveyFiling filing;
    private final SurveyReader defaultFormat;
    private final ObjectMapper json;
    private final AuditTrail audit;

    SurveyReview(DataSource dataSource, SurveyFiling filing, SurveyReader defaultFormat, ObjectMapper json, AuditTrail audit) {
        this.dataSource = dataSource;
        this.filing = filing;
        this.defaultFormat = defaultFormat;
        this.json = json;
        this.audit = audit;
    }

    /** A review entry filed on its archive: the message a person reads, and whether its score opened a complaint. */
    public record LinkResult(String message, String archiveNo, boolean complaint) {
    }

    /** Files the pending responses that now match an archive; returns how many. Never throws (a timer calls it). */
    public int rematch() {
        int linked = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    select id, survey_id, payload::text, reason, source_ingest_id, source_line from survey_review
                    where status = 'pending' order by id limit ? for update skip locked""")) {
                ps.setInt(1, BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SurveyResponse response;
                        try {
                            response = response(rs.getString(3), rs.getInt(6));
                        } catch (IllegalStateException unreadable) {
                            String reason = "cannot be re-matched: " + unreadable.getMessage() + "; link it by hand";
                            if (!reason.equals(rs.getString(4))) updateReason(c, rs.getLong(1), reason);
                            continue;
                        }
                        ArchiveMatch match = ArchiveMatch.find(c, response);
                        if (match.found()) {
                            filing.fileFeedback(c, match.customerId(), response, rs.getLong(5), rs.getInt(6));
                            markLinked(c, rs.getLong(1), rs.getString(2), match.customerId(), "re-match");
                            linked++;
                        } else if (!match.reason().equals(rs.getString(4))) {
                            updateReason(c, rs.getLong(1), match.reason());
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.error("Survey review re-match did not run: {}; it is tried again at the next interval", e.getMessage());
            return 0;
        }
        if (linked > 0) LOG.info("Survey review: {} waiting responses matched an archive and were filed", linked);
        return linked;
    }

    /**
     * Files review entry {@code reviewId} on archive {@code archiveNo}; {@code by} is the person deciding (D-27).
     * An entry or archive that does not exist is {@link RuleException.NotFound}; an entry linked before or a
     * sealed archive {@link RuleException.Conflict} — nothing is filed then.
     */
    public LinkResult link(long reviewId, String archiveNo, String by) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                LinkResult result = link(c, reviewId, archiveNo, by);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private LinkResult link(Connection c, long reviewId, String archiveNo, String by) throws SQLException {
        String surveyId;
        String payload;
        long ingestId;
        int line;
        try (PreparedStatement ps = c.prepareStatement("""
                select r.survey_id, r.payload::text, r.status, r.source_ingest_id, r.source_line, c.archive_no, r.linked_at
                from survey_review r left join customer c on c.id = r.customer_id where r.id = ? for update of r""")) {
            ps.setLong(1, reviewId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new RuleException.NotFound("there is no survey review entry " + reviewId);
                if ("linked".equals(rs.getString(3))) {
                    throw new RuleException.Conflict("survey review entry " + reviewId + " was already linked to archive "
                            + rs.getString(6) + " at " + rs.getObject(7));
                }
                surveyId = rs.getString(1);
                payload = rs.getString(2);
                ingestId = rs.getLong(4);
                line = rs.getInt(5);
            }
        }
        long customerId;
        try (PreparedStatement ps = c.prepareStatement(
                "select id, case when sealed_at is not null then 'sealed' else status end from customer where archive_no = ?")) {
            ps.setString(1, archiveNo);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new RuleException.NotFound("there is no archive " + archiveNo + ": check the archive number");
                if ("sealed".equals(rs.getString(2))) {
                    throw new RuleException.Conflict("archive " + archiveNo + " is sealed (D-32): nothing is filed on it");
                }
                customerId = rs.getLong(1);
            }
        }
        SurveyResponse response = response(payload, line);
        boolean complaint = filing.fileFeedback(c, customerId, response, ingestId, line);
        markLinked(c, reviewId, surveyId, customerId, by);
        ChangeLog.write(c, ChangeLog.Change.of(customerId, "feedback", null,
                        "survey " + surveyId + ": score " + response.score() + (complaint ? " (complaint opened)" : ""), by,
                        "survey response linked by hand from the review queue (entry " + reviewId + ")")
                .fromLine(ingestId, line));
        LOG.info("Survey review entry {} linked to archive {} by {}", reviewId, archiveNo, by);
        return new LinkResult("survey " + surveyId + " filed on archive " + archiveNo
                + (complaint ? "; its low score opened a complaint to follow up" : ""), archiveNo, complaint);
    }

    /**
     * {@code POST /api/surveys/review/{id}/link} with {@code {"archive_no": "…"}}, by the archive keeper or
     * a manager (staff token, D-24): the decider recorded is the authenticated caller, never a name from
     * the body; the link and its audit entry commit together.
     */
    public void linkRequest(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        long reviewId = Request.id(exchange, "id");
        JsonNode body = Api.readJson(exchange);
        String given = Text.clean(body.path("archive_no").asText(null));
        if (given == null) {
            throw ApiProblem.badRequest("\"archive_no\" is missing: send {\"archive_no\": \"202311001\"} — the archive to file the response on");
        }
        String archiveNo = Request.archiveNo(given);
        LinkResult result;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                result = link(c, reviewId, archiveNo, caller.name());
                audit.record(c, new AuditEntry(caller.name(), caller.role().label(), "change", archiveNo, List.of("feedback"),
                        null, null, AuditEntry.OK, "survey review entry " + reviewId + " linked: " + result.message()));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        ObjectNode answer = json.createObjectNode().put("review", reviewId).put("message", result.message())
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
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select r.id, r.survey_id, r.reason, r.payload::text, r.created_at, g.source_name, r.source_line
                     from survey_review r left join ingest g on g.id = r.source_ingest_id
                     where r.status = 'pending' order by r.id limit 1000""")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode item = list.addObject();
                    item.put("id", rs.getLong(1)).put("survey_id", rs.getString(2)).put("reason", rs.getString(3));
                    item.set("response", json.readTree(rs.getString(4)));
                    item.put("received_at", rs.getObject(5).toString()).put("source", rs.getString(6)).put("response_no", rs.getInt(7));
                }
            }
        }
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", null, List.of("basic", "feedback"), null, null,
                AuditEntry.OK, "GET /api/surveys/review: " + list.size() + " pending survey responses"));
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

    private static void markLinked(Connection c, long reviewId, String surveyId, long customerId, String by) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                update survey_review set status = 'linked', customer_id = ?, linked_by = ?, linked_at = now() where id = ?""")) {
            ps.setLong(1, customerId);
            ps.setString(2, by);
            ps.setLong(3, reviewId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update survey_response set status = 'filed', customer_id = ?, filed_at = now() where survey_id = ?""")) {
            ps.setLong(1, customerId);
            ps.setString(2, surveyId);
            ps.executeUpdate();
        }
    }

    private static void updateReason(Connection c, long reviewId, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("update survey_review set reason = ? where id = ?")) {
            ps.setString(1, reason);
            ps.setLong(2, reviewId);
            ps.executeUpdate();
        }
    }

}
