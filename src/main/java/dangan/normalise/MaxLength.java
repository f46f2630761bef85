package dangan.normalise;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The longest value each text field of an archive takes, in characters (issue 10: input limits). One table for
 * every way in: a line of a dropped file, a mail or the contracts poll longer than this is rejected with the field
 * and the limit named (RowNormaliser); a correction through the API is refused (Corrections); a survey response
 * (file or {@code POST /api/surveys}) whose name, comment, service, staff or consent version is longer is rejected,
 * naming field, length and limit (SurveyReader). The README lists the same figures (<i>Limits of text fields</i>),
 * and the OpenAPI description ({@code GET /api/openapi.json}) gives them as each field's {@code maxLength}.
 */
public final class MaxLength {

    /** Field key (as in config/columns.properties and the API) → the most characters it takes. */
    public static final Map<String, Integer> OF;
    /** An extra attribute's value (a column that maps to no field). */
    public static final int EXTRA = 500;
    /** The reason a person gives with a request through the API (a correction's {@code reason}). */
    public static final int REASON = 500;

    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("name", 100);
        m.put("email", 254);
        m.put("address", 300);
        m.put("employer", 200);
        m.put("job_title", 100);
        m.put("nationality", 50);
        m.put("preferences", 500);
        m.put("room_preferences", 500);
        m.put("dining_preferences", 500);
        m.put("allergies", 500);
        m.put("health", 1000);
        m.put("service", 200);
        m.put("payment", 50);
        m.put("staff", 100);
        m.put("branch", 100);
        m.put("place", 200);
        m.put("contract_no", 100);
        m.put("companions", 200);
        m.put("referrer", 100);
        m.put("consent_version", 50);
        m.put("comment", 2000);
        OF = Collections.unmodifiableMap(m);
    }

    private MaxLength() {
    }

    /** The limit of a field, or null when its values are checked by their own form (dates, numbers, mobile, ID number). */
    public static Integer of(String field) {
        return OF.get(field);
    }

    /** How long a value is, as people count characters (a character outside the BMP is one). */
    public static int length(String value) {
        return value.codePointCount(0, value.length());
    }
}
