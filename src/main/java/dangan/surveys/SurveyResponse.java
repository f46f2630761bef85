package dangan.surveys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;

/**
 * One satisfaction survey response, read and checked: the platform's id, when it was submitted,
 * how to find the customer's archive (archive number, mobile, email; the name for a person
 * reviewing it), the score 1–5, NPS 0–10, comment, service, staff and the questionnaire's answers.
 * Mobile and email are normalised; an identifier that was invalid is null here (and a warning).
 */
public record SurveyResponse(String surveyId, OffsetDateTime submittedAt, String archiveNo, String mobile, String email,
                             String name, int score, Integer nps, String comment, String service, String staff,
                             JsonNode answers, dangan.intake.CustomerRow.Consent consent) {

    /** True when no usable identifier is left to find the archive. */
    public boolean unidentified() {
        return archiveNo == null && mobile == null && email == null;
    }

    /** The response in Dangan's default format: what the review queue keeps and files when linked. */
    public ObjectNode toDefaultFormat(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("survey_id", surveyId);
        if (submittedAt != null) node.put("submitted_at", submittedAt.toString());
        ObjectNode customer = node.putObject("customer");
        if (archiveNo != null) customer.put("archive_no", archiveNo);
        if (mobile != null) customer.put("mobile", mobile);
        if (email != null) customer.put("email", email);
        if (name != null) customer.put("name", name);
        node.put("score", score);
        if (nps != null) node.put("nps", nps);
        if (comment != null) node.put("comment", comment);
        if (service != null) node.put("service", service);
        if (staff != null) node.put("staff", staff);
        if (answers != null) node.set("answers", answers);
        if (consent != null) {
            ObjectNode given = node.putObject("consent");
            if (consent.contact() != null) given.put("contact", consent.contact());
            if (consent.marketing() != null) given.put("marketing", consent.marketing());
            if (consent.sensitive() != null) given.put("sensitive", consent.sensitive());
            if (consent.version() != null) given.put("version", consent.version());
        }
        return node;
    }
}
