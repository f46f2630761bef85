package dangan.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.privacy.KeyDestroyedException;
import dangan.privacy.SensitiveFields;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What identifies an archive and decides who may see it at all. */
    public record Head(long id, String archiveNo, String name, String tier, boolean sealed, String reviewStatus) {
    }

    private static final String HEAD = """
            select id, archive_no, name, tier, (sealed_at is not null or status = 'sealed') as sealed, review_status
              from customer where archive_no = :archiveNo""";

    private final SensitiveFields sensitive;

    public ArchiveReader(SensitiveFields sensitive) {
        this.sensitive = sensitive;
    }

    public Optional<Head> head(Handle h, String archiveNo) {
        return h.createQuery(HEAD).bind("archiveNo", archiveNo)
                .map((rs, ctx) -> new Head(rs.getLong("id"), rs.getString("archive_no"), rs.getString("name"), rs.getString("tier"),
                        rs.getBoolean("sealed"), rs.getString("review_status")))
                .findOne();
    }

    /** basic (D-1): identity and contact, tier, the ID number masked. */
    public Map<String, Object> basic(Handle h, long customerId) {
        List<Map<String, Object>> rows = rows(h, """
                select name, gender, birth_date, mobile, email, address, id_number_masked, employer, job_title, nationality,
                       tier, key_decision_maker, important_organisation, out_of_province, extra, contact_confirmed_at,
                       created_at, updated_at
                  from customer where id = :customer""", customerId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    /** consumption (D-2, D-8, D-10): visits, contracts (a consumption fact with a contract number), the visit ledger. */
    public Map<String, Object> consumption(Handle h, long customerId) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("visits", rows(h, """
                select visit_date, amount, service, payment_method, staff, branch, place from consumption
                 where customer_id = :customer and contract_no is null order by visit_date nulls last, id""", customerId));
        section.put("contracts", rows(h, """
                select contract_no, visit_date as signed_on, amount, service, staff, branch from consumption
                 where customer_id = :customer and contract_no is not null order by visit_date nulls last, id""", customerId));
        section.put("visit_ledger", rows(h, """
                select visited_on, staff, channel, outcome, notes, owner_role from visit_ledger
                 where customer_id = :customer order by visited_on, id""", customerId));
        return section;
    }

    /** preferences (D-3, D-6, D-7): preferences, special dates, companions and referrals. */
    public Map<String, Object> preferences(Handle h, long customerId) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("preferences", rows(h, "select category, detail from preference where customer_id = :customer order by id", customerId));
        section.put("special_dates", rows(h, """
                select kind, occurs_on, label from special_date where customer_id = :customer order by occurs_on, id""", customerId));
        section.put("companions", rows(h, """
                select p.relation, p.name, o.archive_no as archive_no from companion p
                  left join customer o on o.id = p.other_customer_id
                 where p.customer_id = :customer order by p.id""", customerId));
        return section;
    }

    /** health (D-4): each fact decrypted. */
    public List<Map<String, Object>> health(Handle h, long customerId) {
        return h.createQuery("select kind, detail_enc, created_at from health_fact where customer_id = :customer order by id")
                .bind("customer", customerId)
                .map((rs, ctx) -> {
                    Map<String, Object> fact = new LinkedHashMap<>();
                    fact.put("kind", rs.getString("kind"));
                    fact.put("detail", reveal(rs.getBytes("detail_enc"), customerId));
                    fact.put("recorded_at", rs.getTimestamp("created_at").toInstant().atOffset(ZoneOffset.UTC));
                    return fact;
                })
                .list();
    }

    /** feedback (D-5): scores, praise, suggestions, complaints and their handling. */
    public List<Map<String, Object>> feedback(Handle h, long customerId) {
        return rows(h, """
                select kind, score, nps, comment, service, staff, status, handling, closed_at, submitted_at
                  from feedback where customer_id = :customer order by submitted_at nulls last, id""", customerId);
    }

    /** identity: the full resident ID number, decrypted. */
    public Map<String, Object> identity(Handle h, long customerId) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("id_number", h.createQuery("select id_number_enc from customer where id = :customer").bind("customer", customerId)
                .map((rs, ctx) -> reveal(rs.getBytes("id_number_enc"), customerId)).findFirst().orElse(null));
        return section;
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
            LOG.warn("A sensitive value of customer id {} cannot be decrypted ({}): shown as {}", customerId,
                    e.getClass().getSimpleName(), UNREADABLE);
            return UNREADABLE;
        }
    }

    /** Rows as column → value (each column by the name the query gives it), dates as java.time, jsonb as JSON. */
    private static List<Map<String, Object>> rows(Handle h, String sql, long customerId) {
        return h.createQuery(sql).bind("customer", customerId).map((rs, ctx) -> {
            ResultSetMetaData meta = rs.getMetaData();
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) row.put(meta.getColumnLabel(i), value(rs, meta.getColumnLabel(i), meta.getColumnTypeName(i)));
            return row;
        }).list();
    }

    private static Object value(ResultSet rs, String column, String type) throws SQLException {
        Object value = rs.getObject(column);
        if (value == null) return null;
        if (value instanceof java.sql.Date d) return d.toLocalDate();
        if (value instanceof Timestamp t) return t.toInstant().atOffset(ZoneOffset.UTC);
        if ("jsonb".equals(type) || "json".equals(type)) {
            try {
                return JSON.readTree(value.toString());
            } catch (Exception e) {
                return value.toString();
            }
        }
        if (value instanceof String s && "bpchar".equals(type)) return s.strip();
        return value;
    }
}
