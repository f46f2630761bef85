package dangan.surveys;

import dangan.i18n.Localized;

/**
 * What was wrong with one field of one response: the column of the reject report (the field's
 * path in the payload), the value as shown (ID-like digit runs masked) and the reason a person reads,
 * said in the reader's language (the configured one in the reject report, the request's in a POST's answer).
 */
public record SurveyProblem(String column, String value, Localized reason) {
}
