package dangan.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.privacy.KeyDestroyedException;
import dangan.privacy.SensitiveFields;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one archive section by section (D-1 … D-8, D-24 categories) for the API: each method
 * answers exactly the fields of its category, so a view is built field by field from the
 * categories a caller may see. Sensitive values are decrypted here, through {@link SensitiveFields}
 * only; one whose customer key was destroyed reads as {@value #DESTROYED}.
 */
public final class ArchiveReader {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveReader.class);
    public static final String DESTROYED = SensitiveFields.DESTROYED;
    public static final String UNREADABLE = "[unreadable]";

    /** What identifies an archive and decides who may see it at all. */
    public record Head(long id, String archiveNo, String name, String tier, boolean sealed, String reviewStatus) {
    }

    /** The head of the archive {@code :archiveNo} (no row: there is none); {@link #head(ResultSet)} maps it. */
    public static final String HEAD = """
            select id, archive_no, name, tier, (sealed_at is not null or status = 'sealed') as sealed, review_status
              from customer where archive_no = :archiveNo""";

    private final SensitiveFields sensitive;

    private final dangan.i18n.Messages messages;

    public ArchiveReader(SensitiveFields sensitive, dangan.i18n.Messages messages) {
        this.messages = messages;
        this.sensitive = sensitive;
    }

    public Optional<Head> head(Handle h, String archiveNo) {
        return h.createQuery(HEAD).bind("archiveNo", archiveNo).map((rs, ctx) -> head(rs))
                .findOne();
    }

    /** The head in the current row of a result holding the columns of {@link #HEAD}. */
    public static Head head(ResultSet rs) throws SQLException {
        return new Head(rs.getLong("id"), rs.getString("archive_no"), rs.getString("name"), rs.getString("tier"),
                rs.getBoolean("sealed"), rs.getString("review_status"));
    }

    /**
     * The SQL of each section (D-24 category), a scalar subquery answering the section as JSON for the
     * archive {@code head.id}: {@link #read} puts the sections a caller sees into one statement with the
     * archive's head, so a read is one round trip and one snapshot (issue 14: reads under load). Each
     * section answers exactly the fields of its category; {@link #section} turns its JSON into the answer's values.
     */
    private static final Map<String, String> SECTIONS = Map.of(
            // basic (D-1): identity and contact, tier, the ID number masked
            "basic", """
                    (select to_json(b) from (
                        select name, gender, birth_date, mobile, email, address, id_number_masked, employer, job_title, nationality,
                               tier, key_decision_maker, important_organisation, out_of_province, extra, contact_confirmed_at,
                               created_at, updated_at
                          from customer where id = head.id) b)""",
            // consumption (D-2, D-8, D-10): visits, contracts (a consumption fact with a contract number), the visit ledger
            "consumption", """
                    json_build_object(
                      'visits', (select coalesce(json_agg(v order by v.visit_date nulls last, v.id), '[]') from (
                          select id, visit_date, amount, service, payment_method, staff, branch, place from consumption
                           where customer_id = head.id and contract_no is null) v),
                      'contracts', (select coalesce(json_agg(k order by k.signed_on nulls last, k.id), '[]') from (
                          select id, contract_no, visit_date as signed_on, amount, service, staff, branch from consumption
                           where customer_id = head.id and contract_no is not null) k),
                      'visit_ledger', (select coalesce(json_agg(l order by l.visited_on, l.id), '[]') from (
                          select id, visited_on, staff, channel, outcome, notes, owner_role from visit_ledger
                           where customer_id = head.id) l))""",
            // preferences (D-3, D-6, D-7): preferences, special dates, companions and referrals
            "preferences", """
                    json_build_object(
                      'preferences', (select coalesce(json_agg(p order by p.id), '[]') from (
                          select id, category, detail from preference where customer_id = head.id) p),
                      'special_dates', (select coalesce(json_agg(d order by d.occurs_on, d.id), '[]') from (
                          select id, kind, occurs_on, label from special_date where customer_id = head.id) d),
                      'companions', (select coalesce(json_agg(c order by c.id), '[]') from (
                          select p.id, p.relation, p.name, o.archive_no as archive_no from companion p
                            left join customer o on o.id = p.other_customer_id
                           where p.customer_id = head.id) c))""",
            // health (D-4): each fact, sealed (decrypted by section)
            "health", """
                    (select coalesce(json_agg(f order by f.id), '[]') from (
                        select id, kind, encode(detail_enc, 'hex') as detail_enc, created_at from health_fact
                         where customer_id = head.id) f)""",
            // feedback (D-5): scores, praise, suggestions, complaints and their handling
            "feedback", """
                    (select coalesce(json_agg(f order by f.submitted_at nulls last, f.id), '[]') from (
                        select id, kind, score, nps, comment, service, staff, status, handling, closed_at, submitted_at
                          from feedback where customer_id = head.id) f)""",
            // identity: the full resident ID number, sealed (decrypted by section)
            "identity", """
                    (select json_build_object('id_number_enc', encode(id_number_enc, 'hex')) from customer where id = head.id)""");

    /** Columns of type timestamptz in the sections: answered in UTC, as the driver's values were before. */
    private static final Set<String> TIMESTAMPS = Set.of("contact_confirmed_at", "created_at", "updated_at", "closed_at", "submitted_at");
    /** The sections' JSON as Java values: numbers exact (numeric(12, 2) stays 12.50), objects in column order. */
    private static final ObjectMapper SECTION_JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /**
     * The SQL answering one section as JSON for the customer {@code head.id} of the statement it goes
     * into (a scalar subquery); the category's label (basic, consumption, preferences, health, feedback, identity).
     */
    public static String sectionSql(String category) {
        String sql = SECTIONS.get(category);
        if (sql == null) throw new IllegalArgumentException("no section " + category);
        return sql;
    }

    /**
     * A section as the answer shows it, from its JSON ({@link #sectionSql}): rows as column → value in the
     * order the query names them (without the ordering {@code id}), dates as text (2026-12-05), times in UTC,
     * health details and the ID number decrypted.
     */
    public Object section(String category, String json, long customerId) {
        try {
            Object value = SECTION_JSON.readValue(json == null ? "null" : json, Object.class);
            return switch (category) {
                case "basic" -> value == null ? Map.of() : utc(rowOf(value));
                case "consumption", "preferences" -> {
                    Map<String, Object> section = new LinkedHashMap<>();
                    rowOf(value).forEach((part, rows) -> section.put(part, rows(rows)));
                    yield section;
                }
                case "feedback" -> rows(value);
                case "health" -> rows(value).stream().map(fact -> {
                    Map<String, Object> shown = new LinkedHashMap<>();
                    shown.put("kind", fact.get("kind"));
                    shown.put("detail", reveal(hex((String) fact.get("detail_enc")), customerId));
                    shown.put("recorded_at", fact.get("created_at"));
                    return shown;
                }).toList();
                case "identity" -> {
                    Map<String, Object> section = new LinkedHashMap<>();
                    section.put("id_number", value == null ? null : reveal(hex((String) rowOf(value).get("id_number_enc")), customerId));
                    yield section;
                }
                default -> throw new IllegalArgumentException("no section " + category);
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("section " + category + " of customer id " + customerId + " is not JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> rowOf(Object value) {
        return (Map<String, Object>) value;
    }

    /** A JSON array of rows, each without its ordering {@code id}, times in UTC. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Object value) {
        return ((List<Object>) value).stream().map(row -> {
            Map<String, Object> shown = utc(rowOf(row));
            shown.remove("id");
            return shown;
        }).toList();
    }

    /** The row with its timestamptz columns as UTC times (the database writes them in the session's zone). */
    private static Map<String, Object> utc(Map<String, Object> row) {
        for (String column : TIMESTAMPS) {
            if (row.get(column) instanceof String time) row.put(column, OffsetDateTime.parse(time).withOffsetSameInstant(ZoneOffset.UTC));
        }
        return row;
    }

    private static byte[] hex(String text) {
        return text == null ? null : HexFormat.of().parseHex(text);
    }

    /**
     * A sensitive value in clear, for the response only (never logged). A value whose customer
     * key was destroyed (D-31) reads as {@value #DESTROYED}; one that cannot be decrypted for
     * another reason as {@value #UNREADABLE}, with a log line naming the archive, not the value.
     */
    private String reveal(byte[] sealed, long customerId) {
        if (sealed == null) return null;
        try {
            return sensitive.decrypt(sealed);
        } catch (KeyDestroyedException e) {
            return DESTROYED;
        } catch (RuntimeException e) {
            LOG.warn(messages.text("log.archive.undecryptable", "customer", String.valueOf(customerId), "problem", e.getClass().getSimpleName(),
                    "shown", UNREADABLE));
            return UNREADABLE;
        }
    }
}
