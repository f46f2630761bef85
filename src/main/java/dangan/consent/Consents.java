package dangan.consent;

import com.fasterxml.jackson.annotation.JsonProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Consent per purpose (PIPL, D-28): {@code service}, {@code marketing}, {@code sensitive}. Every
 * decision is a new row of {@code consent} (source, time, wording version); the latest per purpose
 * holds, so a withdrawal takes effect at once — {@code marketing_ok(customer)}, used by the visit
 * plan, greetings, follow-ups, their feeds and digests, reads it. No marketing consent recorded
 * means no marketing.
 */
public final class Consents {

    /** The purposes consent is asked for. */
    public static final Set<String> PURPOSES = Set.of("service", "marketing", "sensitive");

    /** One recorded decision. */
    public record Consent(long id, String purpose, boolean granted, String source,
                          @JsonProperty("wording_version") String wordingVersion,
                          @JsonProperty("recorded_by") String recordedBy,
                          @JsonProperty("recorded_at") OffsetDateTime recordedAt) {
    }

    private final DataSource dataSource;

    public Consents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records a decision in the caller's transaction (so an audit entry can commit with it).
     *
     * @param source         where it came from: {@code api}, {@code mail}, {@code survey}, {@code paper form} …
     * @param wordingVersion the version of the consent text the customer saw (may be null)
     * @return the new row's id
     */
    public long record(Connection c, long customerId, String purpose, boolean granted, String source, String wordingVersion)
            throws SQLException {
        return record(c, customerId, purpose, granted, source, wordingVersion, null);
    }

    /** As {@link #record(Connection, long, String, boolean, String, String)}, naming who recorded it. */
    public long record(Connection c, long customerId, String purpose, boolean granted, String source, String wordingVersion,
                       String recordedBy) throws SQLException {
        if (purpose == null || !PURPOSES.contains(purpose)) {
            throw new IllegalArgumentException("'" + purpose + "' is not a consent purpose: use service, marketing or sensitive");
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a consent needs its source (api, mail, survey, paper form …)");
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by)
                values (?, ?, ?, ?, ?, ?) returning id""")) {
            ps.setLong(1, customerId);
            ps.setString(2, purpose);
            ps.setBoolean(3, granted);
            ps.setString(4, source.strip());
            ps.setString(5, wordingVersion == null || wordingVersion.isBlank() ? null : wordingVersion.strip());
            ps.setString(6, recordedBy);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The decision that holds per purpose (purposes never decided are absent). */
    public Map<String, Consent> current(long customerId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return current(c, customerId);
        }
    }

    /** As {@link #current(long)}, on the caller's connection. */
    public Map<String, Consent> current(Connection c, long customerId) throws SQLException {
        Map<String, Consent> current = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SELECT + " " + """
                 where customer_id = ? and id in (select distinct on (purpose) id from consent where customer_id = ?
                                                  order by purpose, recorded_at desc, id desc)
                 order by purpose""")) {
            ps.setLong(1, customerId);
            ps.setLong(2, customerId);
            for (Consent k : read(ps)) current.put(k.purpose(), k);
        }
        return current;
    }

    /** Every decision of a customer, newest first. */
    public List<Consent> history(long customerId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(SELECT + " where customer_id = ? order by recorded_at desc, id desc")) {
            ps.setLong(1, customerId);
            return read(ps);
        }
    }

    /** Whether the latest decision for the purpose is a grant (false when never recorded). */
    public boolean granted(long customerId, String purpose) throws SQLException {
        Consent k = current(customerId).get(purpose);
        return k != null && k.granted();
    }

    private static final String SELECT =
            "select id, purpose, granted, source, wording_version, recorded_by, recorded_at from consent";

    private static List<Consent> read(PreparedStatement ps) throws SQLException {
        List<Consent> list = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                list.add(new Consent(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getObject(7, OffsetDateTime.class)));
            }
        }
        return list;
    }
}
