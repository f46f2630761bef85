package dangan.surveys;

import com.fasterxml.jackson.core.JsonPointer;
import dangan.config.Settings;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where each field of a response sits in a platform's payload: one JSON pointer per field
 * ({@code dangan.surveys.map.score=/rating/value}), defaults = the default format. Optionally
 * where the array of responses sits in a batch ({@code dangan.surveys.map.responses=/data});
 * by default the payload is one response or an array of them.
 */
public final class SurveyMapping {

    public static final String PREFIX = "dangan.surveys.map.";

    private final Map<SurveyField, JsonPointer> pointers;
    private final JsonPointer responses;

    private SurveyMapping(Map<SurveyField, JsonPointer> pointers, JsonPointer responses) {
        this.pointers = Collections.unmodifiableMap(pointers);
        this.responses = responses;
    }

    /** The default format. */
    public static SurveyMapping defaults() {
        Map<SurveyField, JsonPointer> pointers = new EnumMap<>(SurveyField.class);
        for (SurveyField field : SurveyField.values()) pointers.put(field, JsonPointer.compile(field.defaultPointer()));
        return new SurveyMapping(pointers, null);
    }

    /** The mapping configured under {@code dangan.surveys.map.*}; a key left empty keeps the default. */
    public static SurveyMapping from(Settings settings) {
        Map<SurveyField, JsonPointer> pointers = new EnumMap<>(SurveyField.class);
        for (SurveyField field : SurveyField.values()) {
            pointers.put(field, pointer(PREFIX + field.key(), settings.get(PREFIX + field.key(), field.defaultPointer())));
        }
        String batch = settings.get(PREFIX + "responses");
        return new SurveyMapping(pointers, batch == null ? null : pointer(PREFIX + "responses", batch));
    }

    private static final String WHOLE_RESPONSE = "it points at the whole response, not at one field";

    private static JsonPointer pointer(String key, String value) {
        try {
            JsonPointer pointer = JsonPointer.compile(value);
            if (pointer.matches() && !"responses".equals(key.substring(PREFIX.length()))) {
                throw new IllegalArgumentException(WHOLE_RESPONSE);
            }
            return pointer;
        } catch (IllegalArgumentException e) {
            // the library's words stay out of the line a person reads: the pointer's own rule says what is wrong
            throw dangan.i18n.ConfigurationException.of(WHOLE_RESPONSE.equals(e.getMessage()) ? "config.surveys.whole-response" : "config.surveys.pointer",
                    "key", key, "variable", Settings.environmentName(key), "value", value);
        }
    }

    public JsonPointer pointer(SurveyField field) {
        return pointers.get(field);
    }

    /** Where a batch keeps its array of responses, or null: the payload itself is one response or an array. */
    public JsonPointer responses() {
        return responses;
    }

    /**
     * How messages name a field: {@code "score"}, or {@code "score" (at /rating/value)} when mapped elsewhere
     * ({@code "score"（位于 /rating/value）} in Chinese: said in the reader's language).
     */
    public dangan.i18n.Localized describe(SurveyField field) {
        String pointer = pointers.get(field).toString();
        return pointer.equals(field.defaultPointer())
                ? dangan.i18n.Localized.of("surveys.check.field", "field", "\"" + pointer.substring(1).replace('/', '.') + "\"", "pointer", "none")
                : dangan.i18n.Localized.of("surveys.check.field", "field", "\"" + field.key() + "\"", "pointer", pointer);
    }

    /** The column a reject report shows for a field: its path in the payload, e.g. {@code customer.mobile}. */
    public String column(SurveyField field) {
        return pointers.get(field).toString().substring(1).replace('/', '.');
    }
}
