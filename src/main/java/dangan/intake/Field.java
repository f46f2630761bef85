package dangan.intake;

/** The canonical record's fields that a spreadsheet column can map to (D-1 … D-7). */
public enum Field {
    NAME("name", false),
    GENDER("gender", false),
    BIRTH_DATE("birth_date", false),
    LUNAR_BIRTHDAY("lunar_birthday", false),
    MOBILE("mobile", false),
    ID_NUMBER("id_number", true),
    EMAIL("email", false),
    ADDRESS("address", false),
    EMPLOYER("employer", false),
    JOB_TITLE("job_title", false),
    NATIONALITY("nationality", false),
    ALLERGIES("allergies", true),
    HEALTH("health", true),
    PREFERENCES("preferences", false),
    ROOM_PREFERENCES("room_preferences", false),
    DINING_PREFERENCES("dining_preferences", false),
    AMOUNT("amount", false),
    VISIT_DATE("visit_date", false),
    SERVICE("service", false),
    PAYMENT("payment", false),
    STAFF("staff", false),
    BRANCH("branch", false),
    PLACE("place", false),
    CONTRACT_NO("contract_no", false),
    ANNIVERSARY("anniversary", false),
    COMPANIONS("companions", false),
    REFERRER("referrer", false),
    CONSENT_SERVICE("consent_service", false),
    CONSENT_CONTACT("consent_contact", false),
    CONSENT_MARKETING("consent_marketing", false),
    CONSENT_SENSITIVE("consent_sensitive", false),
    CONSENT_VERSION("consent_version", false);

    private final String key;
    private final boolean sensitive;

    Field(String key, boolean sensitive) {
        this.key = key;
        this.sensitive = sensitive;
    }

    /** The name used in config/columns.properties and in reports. */
    public String key() {
        return key;
    }

    /** Health data and ID numbers: never shown or logged in clear. */
    public boolean sensitive() {
        return sensitive;
    }

    public static Field byKey(String key) {
        for (Field f : values()) {
            if (f.key.equals(key)) return f;
        }
        throw dangan.i18n.ConfigurationException.of("config.columns.field", "field", key,
                "fields", String.join(", ", java.util.Arrays.stream(values()).map(f -> f.key).toList()));
    }
}
