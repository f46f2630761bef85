package dangan.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.privacy.KeyDestroyedException;
import dangan.privacy.SensitiveFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
              from customer where archive_no = ?""";

    private final SensitiveFields sensitive;

    public ArchiveReader(SensitiveFields sensitive) {
        this.sensitive = sensitive;
    }

    public Optional<Head> head(Connection c, String archiveNo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HEAD)) {
            ps.setString(1, archiveNo);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Head(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
                        rs.getString(6)));
            }
        }
    }

    /** basic (D-1): identity and contact, tier, the ID number masked. */
    public Map<String, Object> basic(Connection c, long customerId) throws SQLException {
        List<Map<String, Object>> rows = rows(c, """
                select name, gender, birth_date, mobile, email, address, id_number_masked, employer, job_title, nationality,
                       tier, key_decision_maker, important_organisation, out_of_province, extra, contact_confirmed_at,
                       created_at, updated_at
                  from customer where id = ?""", customerId);
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    /** consumption (D-2, D-8, D-10): visits, contracts (a consumption fact with a contract number), the visit ledger. */
    public Map<String, Object> consumption(Connection c, long customerId) throws SQLException {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("visits", rows(c, """
                select visit_date, amount, service, payment_method, staff, branch, place from consumption
                 where customer_id = ? and contract_no is null order by visit_date nulls last, id""", customerId));
        section.put("contracts", rows(c, """
                select contract_no, visit_date as signed_on, amount, service, staff, branch from consumption
                 where customer_id = ? and contract_no is not null order by visit_date nulls last, id""", customerId));
        section.put("visit_ledger", rows(c, """
                select visited_on, staff, channel, outcome, notes, owner_role from visit_ledger
                 where customer_id = ? order by visited_on, id""", customerId));
        return section;
    }

    /** preferences (D-3, D-6, D-7): preferences, special dates, companions and referrals. */
    public Map<String, Object> preferences(Connection c, long customerId) throws SQLException {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("preferences", rows(c, "select category, detail from preference where customer_id = ? order by id", customerId));
        section.put("special_dates", rows(c, """
                select kind, occurs_on, label from special_date where customer_id = ? order by occurs_on, id""", customerId));
        section.put("companions", rows(c, """
                select p.relation, p.name, o.archive_no as archive_no from companion p
                  left join customer o on o.id = p.other_customer_id
                 where p.customer_id = ? order by p.id""", customerId));
        return section;
    }

    /** health (D-4): each fact decrypted. */
    public List<Map<String, Object>> health(Connection c, long customerId) throws SQLException {
        List<Map<String, Object>> facts = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select kind, detail_enc, created_at from health_fact where customer_id = ? order by id")) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> fact = new LinkedHashMap<>();
                    fact.put("kind", rs.getString(1));
                    fact.put("detail", reveal(rs.getBytes(2), customerId));
                    fact.put("recorded_at", rs.getTimestamp(3).toInstant().atOffset(ZoneOffset.UTC));
                    facts.add(fact);
                }
            }
        }
        return facts;
    }

    /** feedback (D-5): scores, praise, suggestions, complaints and their handling. */
    public List<Map<String, Object>> feedback(Connection c, long customerId) throws SQLException {
        return rows(c, """
                select kind, score, nps, comment, service, staff, status, handling, closed_at, submitted_at
                  from feedback where customer_id = ? order by submitted_at nulls last, id""", customerId);
    }

    /** identity: the full resident ID number, decrypted. */
    public Map<String, Object> identity(Connection c, long customerId) throws SQLException {
        Map<String, Object> section = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select id_number_enc from customer where id = ?")) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                section.put("id_number", rs.next() ? reveal(rs.getBytes(1), customerId) : null);
            }
        }
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

    /** Rows as column → value, dates as java.time, jsonb as JSON. */
    private static List<Map<String, Object>> rows(Connection c, String sql, long customerId) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) row.put(meta.getColumnLabel(i), value(rs, i, meta));
                    out.add(row);
                }
            }
        }
        return out;
    }

    private static Object value(ResultSet rs, int i, ResultSetMetaData meta) throws SQLException {
        Object value = rs.getObject(i);
        if (value == null) return null;
        if (value instanceof java.sql.Date d) return d.toLocalDate();
        if (value instanceof Timestamp t) return t.toInstant().atOffset(ZoneOffset.UTC);
        if ("jsonb".equals(meta.getColumnTypeName(i)) || "json".equals(meta.getColumnTypeName(i))) {
            try {
                return JSON.readTree(value.toString());
            } catch (Exception e) {
                return value.toString();
            }
        }
        if (value instanceof String s && "bpchar".equals(meta.getColumnTypeName(i))) return s.strip();
        return value;
    }
}
