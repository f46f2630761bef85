package dangan.rights;

import dangan.archive.ArchiveLock;
import dangan.i18n.Localized;
import dangan.i18n.Messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dangan.access.Api;
import dangan.access.ApiProblem;
import dangan.access.Caller;
import dangan.access.Request;
import dangan.access.Role;
import dangan.archive.ChangeLog;
import dangan.audit.AuditEntry;
import dangan.audit.AuditText;
import dangan.audit.AuditTrail;
import dangan.normalise.DateValue;
import dangan.normalise.EmailAddress;
import dangan.normalise.Gender;
import dangan.normalise.InvalidValueException;
import dangan.normalise.MaxLength;
import dangan.normalise.MobileNumber;
import dangan.normalise.ResidentId;
import dangan.normalise.Text;
import dangan.privacy.SensitiveFields;
import dangan.rules.RuleException;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

import javax.sql.DataSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The bean behind {@code POST /api/archives/{archiveNo}/corrections} (keeper, manager): corrects
 * basic and preference fields of an archive at the customer's word (PIPL; D-27, D-28). Values are
 * normalised exactly as the intake does ({@code dangan.normalise}); an invalid one refuses the whole
 * correction with the reason. Identity fields (name, gender, birth date, ID number) are corrected
 * only for a correction request ({@code request_id}). The change, its change-register rows (who =
 * the caller, the reason, source "更正请求 #id" in the configured language), the audit entry and the closing of the
 * request commit together or not at all.
 */
public final class Corrections {

    /** One field as the correction left it; ID numbers masked. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Changed(String field, String oldValue, String newValue) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String archiveNo, Long requestId, List<Changed> changed, List<String> unchanged, String requestStatus) {
    }

    static final Set<String> IDENTITY = Set.of("name", "gender", "birth_date", "id_number");
    /** Correctable fields → how a value is normalised (null: cleared). */
    private static final Map<String, Function<String, String>> NORMALISE = new LinkedHashMap<>();
    /** The longest value a field without a limit of its own in {@link MaxLength} takes (gender, dates, mobile, ID number). */
    static final int MAX_OTHER = 100;
    /** The longest reason a correction takes. */
    static final int MAX_REASON = MaxLength.REASON;
    /** Preference fields → the preference category they replace. */
    private static final Map<String, String> PREFERENCES = Map.of(
            "room_preferences", "room", "dining_preferences", "dining", "preferences", "other");

    static {
        NORMALISE.put("name", Text::clean);
        NORMALISE.put("gender", v -> {
            Gender g = Gender.parse(v);
            return g == null ? null : g.name();
        });
        NORMALISE.put("birth_date", v -> {
            LocalDate d = DateValue.parse(v);
            if (d != null && (d.getYear() < 1900 || d.getYear() > 2100)) {
                throw InvalidValueException.of("normalise.birth-date.range", "value", d.toString());
            }
            return d == null ? null : d.toString();
        });
        NORMALISE.put("mobile", v -> {
            MobileNumber m = MobileNumber.parse(v);
            return m == null ? null : m.digits();
        });
        NORMALISE.put("email", v -> {
            EmailAddress e = EmailAddress.parse(v);
            return e == null ? null : e.value();
        });
        NORMALISE.put("id_number", v -> {
            ResidentId id = ResidentId.parse(v);
            return id == null ? null : id.value();
        });
        for (String f : List.of("address", "employer", "job_title", "nationality", "room_preferences", "dining_preferences",
                "preferences")) {
            NORMALISE.put(f, Text::clean);
        }
    }

    private final Jdbi jdbi;
    private final SensitiveFields sensitive;
    private final AuditTrail audit;
    private final CorrectionConflicts conflicts;

    public Corrections(DataSource dataSource, SensitiveFields sensitive, AuditTrail audit, CorrectionConflicts conflicts) {
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
        this.audit = audit;
        this.conflicts = conflicts;
    }

    public void correct(Exchange exchange) throws Exception {
        Caller caller = Caller.of(exchange);
        String archiveNo = Request.archiveNo(exchange);
        JsonNode body = Api.readJson(exchange);
        String reason = SubjectRequests.text(body, "reason");
        if (reason == null) throw ApiProblem.localized(400, "api.correction.reason");
        if (reason.length() > MAX_REASON) throw ApiProblem.localized(400, "api.field.too-long", "field", "reason", "max", String.valueOf(MAX_REASON));
        Long requestId = null;
        if (body.hasNonNull("request_id")) {
            if (!body.get("request_id").canConvertToLong() || body.get("request_id").asLong() < 1) {
                throw ApiProblem.localized(400, "api.correction.request-id");
            }
            requestId = body.get("request_id").asLong();
        }
        JsonNode changes = body.get("changes");
        if (changes == null || !changes.isObject() || changes.isEmpty()) {
            throw ApiProblem.localized(400, "api.correction.changes", "fields", String.join(", ", NORMALISE.keySet()));
        }
        Map<String, String> wanted = normalise(changes);
        List<String> identity = wanted.keySet().stream().filter(IDENTITY::contains).sorted().toList();
        if (!identity.isEmpty() && requestId == null) {
            throw ApiProblem.localized(400, "api.correction.identity", "fields", String.join(", ", identity), "archive", archiveNo);
        }
        Long request = requestId;
        try {
            exchange.getMessage().setBody(jdbi.inTransaction(h -> {
                ArchiveLock.hold(h); // the archive is written: never between a merge's read of an archive and its update
                if (request != null) SubjectRequests.lockOpen(h, request, archiveNo, "correction");
                return apply(h, caller, archiveNo, request, wanted, reason);
            }));
        } catch (Taken taken) {
            long conflict = conflicts.record(caller, archiveNo, taken.otherArchiveNo, taken.field, taken.value, request, reason);
            throw RuleException.conflict("refusal.correction.taken", "field", taken.field.replace('_', ' '), "conflict", conflict);
        } catch (JdbiException e) {
            if (Db.isUniqueViolation(e)) {
                // another archive took the same mobile, email or ID number in the meantime (D-15)
                throw ApiProblem.localized(409, "api.correction.taken-now");
            }
            throw e;
        }
    }

    /** Every value normalised as the intake would; all problems in one 400. */
    private static Map<String, String> normalise(JsonNode changes) {
        Map<String, String> wanted = new LinkedHashMap<>();
        List<Localized> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            Function<String, String> normaliser = NORMALISE.get(field);
            if (normaliser == null) {
                problems.add(Localized.of("api.correction.problem.field", "field", field, "fields", String.join(", ", NORMALISE.keySet())));
                continue;
            }
            JsonNode v = e.getValue();
            if (!v.isNull() && !v.isValueNode()) {
                problems.add(Localized.of("api.correction.problem.not-text", "field", field));
                continue;
            }
            int max = MaxLength.OF.getOrDefault(field, MAX_OTHER);
            if (!v.isNull() && MaxLength.length(v.asText()) > max) {
                problems.add(Localized.of("api.correction.problem.too-long", "field", field, "max", max, "length", MaxLength.length(v.asText())));
                continue;
            }
            try {
                String value = normaliser.apply(v.isNull() ? null : v.asText());
                if (value == null && field.equals("name")) {
                    problems.add(Localized.of("api.correction.problem.no-name"));
                    continue;
                }
                wanted.put(field, value);
            } catch (InvalidValueException ex) {
                problems.add(Localized.of("api.correction.problem.value", "field", field, "reason", ex.localized()));
            }
        }
        if (!problems.isEmpty()) throw ApiProblem.localized(400, "api.correction.invalid", "problems", List.copyOf(problems));
        return wanted;
    }

    private Result apply(Handle h, Caller caller, String archiveNo, Long requestId, Map<String, String> wanted, String reason) {
        record Current(long customerId, Map<String, String> values, byte[] idEnc) {
        }
        Current found = h.createQuery("""
                        select id, name, gender::text as gender, birth_date::text as birth_date, mobile, email, address, employer,
                               job_title, nationality, id_number_masked, id_number_enc, sealed_at is not null or status = 'sealed' as sealed
                          from customer where archive_no = :archiveNo for update""")
                .bind("archiveNo", archiveNo)
                .map((rs, ctx) -> {
                    if (rs.getBoolean("sealed")) throw RuleException.conflict("refusal.correction.sealed", "archive", archiveNo);
                    Map<String, String> values = new LinkedHashMap<>();
                    for (String f : List.of("name", "gender", "birth_date", "mobile", "email", "address", "employer", "job_title", "nationality")) {
                        values.put(f, rs.getString(f));
                    }
                    values.put("id_number", rs.getString("id_number_masked"));
                    return new Current(rs.getLong("id"), values, rs.getBytes("id_number_enc"));
                })
                .findOne().orElseThrow(() -> RuleException.notFound("refusal.archive.none", "archive", archiveNo));
        long customerId = found.customerId();
        Map<String, String> current = found.values();
        byte[] idEnc = found.idEnc();
        for (Map.Entry<String, String> p : PREFERENCES.entrySet()) {
            if (!wanted.containsKey(p.getKey())) continue;
            current.put(p.getKey(), h.createQuery(
                            "select string_agg(detail, '; ' order by id) from preference where customer_id = :customer and category = :category")
                    .bind("customer", customerId).bind("category", p.getValue()).mapTo(String.class).one());
        }

        // the ID number carries birth date and gender (as in the intake): they follow it, and may not contradict it
        ResidentId id = null;
        if (wanted.containsKey("id_number") && wanted.get("id_number") != null) id = ResidentId.parse(wanted.get("id_number"));
        else if (!wanted.containsKey("id_number") && idEnc != null) id = ResidentId.parse(sensitive.decrypt(idEnc));
        if (id != null) {
            String idBirth = id.birthDate().toString();
            String idGender = id.gender().name();
            List<String> contradictions = new ArrayList<>();
            if (wanted.containsKey("birth_date") && !idBirth.equals(wanted.get("birth_date"))) contradictions.add("birth_date");
            if (wanted.containsKey("gender") && !idGender.equals(wanted.get("gender"))) contradictions.add("gender");
            if (!contradictions.isEmpty()) {
                throw RuleException.invalid("refusal.correction.id-mismatch", "fields", String.join(" and ", contradictions), "id", id.masked(),
                        "birth", String.valueOf(idBirth), "gender", String.valueOf(idGender));
            }
            if (wanted.containsKey("id_number")) {
                if (!idBirth.equals(current.get("birth_date"))) wanted.put("birth_date", idBirth);
                if (!idGender.equals(current.get("gender"))) wanted.put("gender", idGender);
            }
        }

        String shownId = id == null ? null : id.masked();
        List<Changed> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            String field = w.getKey();
            String now = field.equals("id_number") ? (w.getValue() == null ? null : shownId) : w.getValue();
            boolean same = field.equals("id_number")
                    ? (w.getValue() == null ? idEnc == null : idEnc != null && w.getValue().equals(sensitive.decrypt(idEnc)))
                    : Objects.equals(now, current.get(field));
            if (same) unchanged.add(field);
            else changed.add(new Changed(field, current.get(field), now));
        }
        Map<String, String> after = new LinkedHashMap<>(current);
        changed.forEach(ch -> after.put(ch.field(), ch.newValue()));
        if (after.get("mobile") == null && after.get("email") == null && after.get("id_number") == null) {
            throw RuleException.invalid("refusal.correction.no-identifier");
        }
        for (Changed ch : changed) {
            String column = switch (ch.field()) {
                case "mobile" -> "mobile";
                case "email" -> "email";
                case "id_number" -> "id_number_hash";
                default -> null;
            };
            if (column == null || ch.newValue() == null) continue;
            Object key = column.equals("id_number_hash") ? sensitive.blindIndex(wanted.get("id_number")) : ch.newValue();
            // column is one of the three above, never text from the request
            h.createQuery("select archive_no from customer where " + column + " = :key and id <> :customer limit 1")
                    .bindByType("key", key, key.getClass()).bind("customer", customerId).mapTo(String.class).findOne()
                    .ifPresent(other -> {
                        // the answer does not say which archive holds it (that would tell whose mobile, email or ID number
                        // it is); once this transaction rolled back, the attempt is recorded as a conflict for a manager
                        throw new Taken(ch.field(), other, wanted.get(ch.field()));
                    });
        }

        Messages said = audit.messages(); // what the register and the request keep, in the configured language
        String source = requestId == null
                ? said.text("records.source.correction", "role", AuditText.role(caller.role().label()), "by", caller.name())
                : said.text("records.source.correction-request", "id", requestId);
        for (Changed ch : changed) write(h, customerId, ch, wanted.get(ch.field()));
        if (!changed.isEmpty()) {
            boolean contact = changed.stream().anyMatch(ch -> Set.of("mobile", "email", "address").contains(ch.field()));
            h.createUpdate("update customer set updated_at = now()" + (contact ? ", contact_confirmed_at = now()" : "") + " where id = :id")
                    .bind("id", customerId).execute();
            ChangeLog.write(h, changed.stream().map(ch -> ChangeLog.Change.of(customerId,
                    PREFERENCES.containsKey(ch.field()) ? "preferences." + PREFERENCES.get(ch.field()) : ch.field(),
                    ch.oldValue(), ch.newValue(), caller.name(), reason).from(source)).toList());
        }
        Set<String> categories = new TreeSet<>();
        for (Changed ch : changed) {
            categories.add(PREFERENCES.containsKey(ch.field()) ? "preferences" : "basic");
            if (ch.field().equals("id_number")) categories.add("identity");
        }
        List<String> fields = changed.stream().map(Changed::field).toList();
        audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "change", archiveNo, List.copyOf(categories),
                purpose(audit.messages(), requestId), null, AuditEntry.OK, Localized.of("audit.correction.done",
                "hasFields", fields.isEmpty() ? "no" : "yes", "fields", AuditText.fields(said, fields),
                "hasRequest", requestId == null ? "no" : "yes", "request", requestId == null ? "" : requestId)));
        String status = null;
        if (requestId != null) {
            SubjectRequests.close(h, requestId, caller.name(), fields.isEmpty() ? said.text("records.outcome.nothing-to-correct")
                    : said.text("records.outcome.corrected", "fields", AuditText.fields(said, fields)));
            status = "done";
        }
        return new Result(archiveNo, requestId, changed, unchanged, status);
    }

    /** A new mobile, email or ID number that another archive holds: the correction rolls back, then becomes a conflict. */
    private static final class Taken extends RuntimeException {
        final String field;
        final String otherArchiveNo;
        final String value;

        Taken(String field, String otherArchiveNo, String value) {
            super(field + " taken", null, false, false);
            this.field = field;
            this.otherArchiveNo = otherArchiveNo;
            this.value = value;
        }
    }

    private void write(Handle h, long customerId, Changed ch, String value) {
        write(h, sensitive, customerId, ch.field(), value);
    }

    /** Writes one corrected field of a customer (its normalised value; null clears it), in the caller's transaction. */
    static void write(Handle h, SensitiveFields sensitive, long customerId, String field, String value) {
        if (PREFERENCES.containsKey(field)) {
            String category = PREFERENCES.get(field);
            h.createUpdate("delete from preference where customer_id = :customer and category = :category")
                    .bind("customer", customerId).bind("category", category).execute();
            if (value != null) {
                h.createUpdate("insert into preference (customer_id, category, detail, fact_key)"
                                + " values (:customer, :category, :detail, cast(md5(:category || '|' || :detail) as uuid))")
                        .bind("customer", customerId).bind("category", category).bind("detail", value).execute();
            }
            return;
        }
        if (field.equals("id_number")) {
            h.createUpdate("update customer set id_number_hash = :hash, id_number_enc = :sealed, id_number_masked = :masked where id = :id")
                    .bind("hash", sensitive.blindIndex(value))
                    .bind("sealed", value == null ? null : sensitive.encryptFor(h, customerId, value)) // the customer's own key (D-28)
                    .bind("masked", value == null ? null : ResidentId.parse(value).masked())
                    .bind("id", customerId).execute();
            return;
        }
        String cast = switch (field) {
            case "birth_date" -> "cast(:value as date)";
            case "gender" -> "cast(:value as char(1))";
            default -> ":value";
        };
        // field is one of NORMALISE's keys (checked above), never text from the request
        h.createUpdate("update customer set " + field + " = " + cast + " where id = :id").bind("value", value).bind("id", customerId).execute();
    }

    /** The purpose an audit entry of a correction names: its request, as people read it. */
    static String purpose(dangan.i18n.Messages m, Long requestId) {
        return requestId == null ? m.text("audit.purpose.correction") : m.text("audit.purpose.correction-request", "id", requestId);
    }
}
