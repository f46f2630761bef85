package dangan.surveys;

/**
 * The fields of a survey response in Dangan's default format, each with its configuration key
 * ({@code dangan.surveys.map.<key>}) and its JSON pointer in the default format.
 */
public enum SurveyField {
    SURVEY_ID("survey_id", "/survey_id"),
    SUBMITTED_AT("submitted_at", "/submitted_at"),
    ARCHIVE_NO("archive_no", "/customer/archive_no"),
    MOBILE("mobile", "/customer/mobile"),
    EMAIL("email", "/customer/email"),
    NAME("name", "/customer/name"),
    SCORE("score", "/score"),
    NPS("nps", "/nps"),
    COMMENT("comment", "/comment"),
    SERVICE("service", "/service"),
    STAFF("staff", "/staff"),
    ANSWERS("answers", "/answers"),
    CONSENT_CONTACT("consent_contact", "/consent/contact"),
    CONSENT_MARKETING("consent_marketing", "/consent/marketing"),
    CONSENT_SENSITIVE("consent_sensitive", "/consent/sensitive"),
    CONSENT_VERSION("consent_version", "/consent/version");

    private final String key;
    private final String defaultPointer;

    SurveyField(String key, String defaultPointer) {
        this.key = key;
        this.defaultPointer = defaultPointer;
    }

    /** The name in configuration keys and in messages, e.g. {@code score}. */
    public String key() {
        return key;
    }

    /** Where the default format keeps it, e.g. {@code /customer/mobile}. */
    public String defaultPointer() {
        return defaultPointer;
    }
}
