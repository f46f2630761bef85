package dangan.surveys;

/**
 * What was wrong with one field of one response: the column of the reject report (the field's
 * path in the payload), the value as shown (ID-like digit runs masked) and the reason a person reads.
 */
public record SurveyProblem(String column, String value, String reason) {
}
