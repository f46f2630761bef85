package dangan.surveys;

import dangan.i18n.Localized;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.normalise.EmailAddress;
import dangan.normalise.InvalidValueException;
import dangan.normalise.Masking;
import dangan.normalise.MaxLength;
import dangan.normalise.MobileNumber;
import dangan.normalise.Text;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a survey payload — one response object or an array of them, or with
 * {@code dangan.surveys.map.responses} the array inside a platform's envelope — and checks each
 * response through the configured {@link SurveyMapping}. A payload that is not JSON fails as a
 * whole ({@link SurveyFormatException}, with line and column); a bad response is rejected on its
 * own, with the field, its position and the reason, and the others go on.
 */
public final class SurveyReader {

    private static final int MAX_SHOWN = 60;
    private static final int MAX_ID = 200;

    private final ObjectMapper json;
    private final SurveyMapping mapping;
    private final ZoneId zone;

    public SurveyReader(ObjectMapper json, SurveyMapping mapping, ZoneId zone) {
        this.json = json;
        this.mapping = mapping;
        this.zone = zone;
    }

    /** Every response of the payload, in order, each read and checked. */
    public List<SurveyEntry> read(byte[] payload) {
        List<SurveyEntry> entries = new ArrayList<>();
        int index = -1;
        try (JsonParser parser = json.createParser(payload)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw SurveyFormatException.of("surveys.format.empty");
            }
            if (mapping.responses() != null) {
                JsonNode root = parser.readValueAsTree();
                noTrailingContent(parser);
                readEnvelope(root, entries);
                return entries;
            }
            if (first == JsonToken.START_ARRAY) {
                JsonToken token;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token == null) throw SurveyFormatException.of("surveys.format.array-not-closed");
                    index++;
                    JsonNode node = parser.readValueAsTree();
                    entries.add(check(node, index + 1, "$[" + index + "]"));
                }
                index = -1;
            } else if (first == JsonToken.START_OBJECT) {
                entries.add(check(parser.readValueAsTree(), 1, "$"));
            } else {
                throw SurveyFormatException.of("surveys.format.not-a-response", "got", token(first));
            }
            noTrailingContent(parser);
            return entries;
        } catch (JsonProcessingException e) {
            // where, never what: the parser's own words (which may quote the content) stay out of the reason
            JsonLocation at = e.getLocation();
            boolean utf8 = String.valueOf(e.getOriginalMessage()).contains("UTF-8");
            Integer line = at == null ? null : at.getLineNr();
            Integer column = at == null ? null : at.getColumnNr();
            throw new SurveyFormatException(Localized.of("surveys.format.not-json", "where", at == null ? "none" : "at",
                    "line", line == null ? 0 : line, "column", column == null ? 0 : column,
                    "response", index >= 0 ? index + 1 : 0, "utf8", utf8 ? "yes" : "no"), line, column);
        } catch (IOException e) {
            throw SurveyFormatException.of("surveys.format.unreadable"); // from a byte array: hardly ever
        }
    }

    private void readEnvelope(JsonNode root, List<SurveyEntry> entries) {
        JsonPointer at = mapping.responses();
        JsonNode responses = root.at(at);
        String base = "$" + at.toString().replace('/', '.');
        if (responses.isArray()) {
            for (int i = 0; i < responses.size(); i++) entries.add(check(responses.get(i), i + 1, base + "[" + i + "]"));
        } else if (responses.isObject()) {
            entries.add(check(responses, 1, base));
        } else {
            throw SurveyFormatException.of("surveys.format.no-responses", "at", at.toString(),
                    "found", responses.isMissingNode() ? "missing" : responses.getNodeType().toString().toLowerCase());
        }
    }

    private static void noTrailingContent(JsonParser parser) throws IOException {
        JsonToken after = parser.nextToken();
        if (after != null) {
            JsonLocation at = parser.currentTokenLocation();
            throw new SurveyFormatException(Localized.of("surveys.format.trailing", "got", token(after),
                    "line", at.getLineNr(), "column", at.getColumnNr()), at.getLineNr(), at.getColumnNr());
        }
    }

    /** Reads one response in Dangan's default format (the review queue's payload) or the configured mapping. */
    public SurveyEntry check(JsonNode node, int number, String position) {
        Check c = new Check(node, number, position);
        if (!node.isObject()) {
            c.reject("$", node, Localized.of("surveys.check.not-an-object", "got", kind(node), "value", quoted(node)));
            return c.entry(null);
        }
        String surveyId = c.surveyId();
        OffsetDateTime submittedAt = c.dateTime(SurveyField.SUBMITTED_AT);
        String archiveNo = c.text(SurveyField.ARCHIVE_NO);
        String mobileRaw = c.text(SurveyField.MOBILE);
        String emailRaw = c.text(SurveyField.EMAIL);
        String name = c.text(SurveyField.NAME);
        Integer score = c.whole(SurveyField.SCORE, 1, 5, true);
        Integer nps = c.whole(SurveyField.NPS, 0, 10, false);
        String comment = c.text(SurveyField.COMMENT);
        String service = c.text(SurveyField.SERVICE);
        String staff = c.text(SurveyField.STAFF);
        JsonNode answers = c.answers();
        dangan.intake.CustomerRow.Consent consent = new dangan.intake.CustomerRow.Consent(null,
                c.consent(SurveyField.CONSENT_CONTACT),
                c.consent(SurveyField.CONSENT_MARKETING), c.consent(SurveyField.CONSENT_SENSITIVE), c.text(SurveyField.CONSENT_VERSION));
        if (archiveNo == null && mobileRaw == null && emailRaw == null && c.fine()) {
            c.reject(SurveyField.MOBILE, null, Localized.of("surveys.check.no-identifier",
                    "archive_no", mapping.describe(SurveyField.ARCHIVE_NO), "mobile", mapping.describe(SurveyField.MOBILE),
                    "email", mapping.describe(SurveyField.EMAIL)));
        }
        String mobile = c.mobile(mobileRaw);
        String email = c.email(emailRaw);
        if (!c.fine()) return c.entry(null);
        return c.entry(new SurveyResponse(surveyId, submittedAt, archiveNo, mobile, email, name, score, nps, comment,
                service, staff, answers, consent.isEmpty() ? null : consent));
    }

    /** The checks of one response, collecting every problem so a person can correct them in one go. */
    private final class Check {
        private final JsonNode node;
        private final int number;
        private final String position;
        private final List<SurveyProblem> rejects = new ArrayList<>();
        private final List<SurveyProblem> warnings = new ArrayList<>();

        Check(JsonNode node, int number, String position) {
            this.node = node;
            this.number = number;
            this.position = position;
        }

        boolean fine() {
            return rejects.isEmpty();
        }

        SurveyEntry entry(SurveyResponse response) {
            return new SurveyEntry(number, position, node.toString(), response, List.copyOf(rejects), List.copyOf(warnings));
        }

        /** The reason with the response it is about: {@code response 3 ($[2]): …}. */
        private Localized about(Localized problem) {
            return Localized.of("surveys.response.at", "number", number, "position", position, "problem", problem);
        }

        void reject(SurveyField field, JsonNode value, Localized reason) {
            reject(mapping.column(field), value, reason);
        }

        void reject(String column, JsonNode value, Localized reason) {
            rejects.add(new SurveyProblem(column, shown(value), about(reason)));
        }

        private void warn(SurveyField field, String value, Localized reason) {
            warnings.add(new SurveyProblem(mapping.column(field), shown(value), about(reason)));
        }

        private JsonNode at(SurveyField field) {
            JsonNode value = node.at(mapping.pointer(field));
            return value.isMissingNode() || value.isNull() ? null : value;
        }

        String surveyId() {
            JsonNode value = at(SurveyField.SURVEY_ID);
            String id = value == null ? null : value.isTextual() ? Text.clean(value.asText())
                    : value.isIntegralNumber() ? value.asText() : "";
            if (value == null || id == null) {
                reject(SurveyField.SURVEY_ID, value, Localized.of("surveys.check.no-id", "field", mapping.describe(SurveyField.SURVEY_ID)));
                return null;
            }
            if (id.isEmpty() || id.length() > MAX_ID) {
                reject(SurveyField.SURVEY_ID, value, Localized.of("surveys.check.bad-id", "field", mapping.describe(SurveyField.SURVEY_ID),
                        "max", MAX_ID, "value", quoted(value)));
                return null;
            }
            return id;
        }

        String text(SurveyField field) {
            JsonNode value = at(field);
            if (value == null) return null;
            if (value.isTextual() || value.isNumber()) return limited(field, Text.clean(value.asText()));
            reject(field, value, Localized.of("surveys.check.not-text", "field", mapping.describe(field), "value", quoted(value)));
            return null;
        }

        /** A text no longer than its field takes ({@link MaxLength}, as for every way in); else the response is rejected. */
        private String limited(SurveyField field, String text) {
            // the e-mail address is checked by its own form, and one that is not used is a warning
            Integer max = field == SurveyField.EMAIL ? null : MaxLength.of(field.key());
            if (text == null || max == null || MaxLength.length(text) <= max) return text;
            reject(field, null, Localized.of("surveys.check.too-long", "field", mapping.describe(field), "length", MaxLength.length(text),
                    "max", max));
            return null;
        }

        Integer whole(SurveyField field, int min, int max, boolean required) {
            JsonNode value = at(field);
            if (value == null) {
                if (required) reject(field, null, Localized.of("surveys.check.whole-missing", "field", mapping.describe(field),
                        "min", min, "max", max));
                return null;
            }
            Integer number = null;
            try {
                if (value.isNumber()) {
                    BigDecimal exact = value.decimalValue().stripTrailingZeros();
                    if (exact.scale() <= 0) number = exact.intValueExact();
                } else if (value.isTextual() && value.asText().strip().matches("\\d{1,3}")) {
                    number = Integer.parseInt(value.asText().strip());
                }
            } catch (ArithmeticException tooBig) {
                number = null;
            }
            if (number == null || number < min || number > max) {
                reject(field, value, Localized.of("surveys.check.whole", "field", mapping.describe(field), "min", min, "max", max,
                        "value", quoted(value)));
                return null;
            }
            return number;
        }

        OffsetDateTime dateTime(SurveyField field) {
            JsonNode value = at(field);
            if (value == null) return null;
            String text = value.isTextual() ? Text.clean(value.asText()) : null;
            if (text != null) {
                try {
                    return OffsetDateTime.parse(text);
                } catch (DateTimeParseException notWithOffset) {
                    try {
                        return LocalDateTime.parse(text).atZone(zone).toOffsetDateTime();
                    } catch (DateTimeParseException notLocal) {
                        try {
                            return LocalDate.parse(text).atStartOfDay(zone).toOffsetDateTime();
                        } catch (DateTimeParseException notADate) {
                            // reported below
                        }
                    }
                }
            }
            reject(field, value, Localized.of("surveys.check.date-time", "field", mapping.describe(field), "value", quoted(value)));
            return null;
        }

        /** A consent answer (PIPL, D-28): true/false, or yes/no/是/否/同意/不同意…; anything else is a warning, not recorded. */
        Boolean consent(SurveyField field) {
            JsonNode value = at(field);
            if (value == null) return null;
            if (value.isBoolean()) return value.booleanValue();
            try {
                return dangan.normalise.ConsentValue.parse(value.isTextual() || value.isNumber() ? value.asText() : value.toString());
            } catch (InvalidValueException e) {
                warn(field, value.asText(), Localized.of("surveys.check.consent", "field", mapping.describe(field),
                        "problem", e.localized()));
                return null;
            }
        }

        JsonNode answers() {
            JsonNode value = at(SurveyField.ANSWERS);
            if (value == null || value.isContainerNode()) return value;
            reject(SurveyField.ANSWERS, value, Localized.of("surveys.check.answers", "field", mapping.describe(SurveyField.ANSWERS),
                    "value", quoted(value)));
            return null;
        }

        String mobile(String raw) {
            if (raw == null) return null;
            try {
                return MobileNumber.parse(raw).digits();
            } catch (InvalidValueException e) {
                warn(SurveyField.MOBILE, raw, Localized.of("surveys.check.identifier", "field", mapping.describe(SurveyField.MOBILE),
                        "problem", e.localized()));
                return null;
            }
        }

        String email(String raw) {
            if (raw == null) return null;
            try {
                return EmailAddress.parse(raw).value();
            } catch (InvalidValueException e) {
                warn(SurveyField.EMAIL, raw, Localized.of("surveys.check.identifier", "field", mapping.describe(SurveyField.EMAIL),
                        "problem", e.localized()));
                return null;
            }
        }
    }

    /** The kind of a value that is not a response, as the message selects on it: array, string, number, other. */
    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            default -> "other";
        };
    }

    /** The kind of a JSON token, as the messages select on it: array, object, string, number, boolean, null, other. */
    private static String token(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> "other";
        };
    }

    /** A value as messages quote it: JSON text, ID-like digit runs masked, long values shortened. */
    static String quoted(JsonNode value) {
        if (value == null) return "null";
        return limit(mask(value.isContainerNode() ? value.toString() : value.isTextual()
                ? "\"" + value.asText() + "\"" : value.asText()));
    }

    private static String shown(JsonNode value) {
        if (value == null) return null;
        return limit(mask(value.isTextual() ? value.asText() : value.toString()));
    }

    private static String shown(String value) {
        return value == null ? null : limit(mask(value));
    }

    private static String limit(String text) {
        return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "…" : text;
    }

    private static String mask(String text) {
        return Masking.maskIdLikeRuns(text);
    }
}
