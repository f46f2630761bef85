package dangan.consent;

import java.util.ArrayList;

import dangan.i18n.Messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

import javax.sql.DataSource;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Consent per purpose (PIPL, D-28): {@code service}, {@code contact}, {@code marketing}, {@code sensitive}. Every
 * decision is a new row of {@code consent} (source, time, wording version); the latest per purpose
 * holds, so a withdrawal takes effect at once — {@code marketing_ok(customer)}, used by the visit
 * plan, greetings, follow-ups, their feeds and digests, reads it. No marketing consent recorded
 * means no marketing.
 */
public final class Consents {

    /** The purposes consent is asked for. */
    public static final Set<String> PURPOSES = Set.of("service", "contact", "marketing", "sensitive");

    /** One recorded decision. */
    public record Consent(long id, String purpose, boolean granted, String source,
                          @JsonProperty("wording_version") String wordingVersion,
                          @JsonProperty("recorded_by") String recordedBy,
                          @JsonProperty("recorded_at") OffsetDateTime recordedAt) {
    }

    private static final String SELECT =
            "select id, purpose, granted, source, wording_version, recorded_by, recorded_at from consent";
    private static final RowMapper<Consent> CONSENT = (rs, ctx) -> new Consent(rs.getLong("id"), rs.getString("purpose"),
            rs.getBoolean("granted"), rs.getString("source"), rs.getString("wording_version"), rs.getString("recorded_by"),
            rs.getObject("recorded_at", OffsetDateTime.class));

    private final Jdbi jdbi;

    public Consents(DataSource dataSource) {
        this.jdbi = Db.jdbi(dataSource);
    }

    /**
     * Records a decision in the caller's transaction (so an audit entry can commit with it).
     *
     * @param source         where it came from: {@code api}, {@code mail}, {@code survey}, {@code paper form} …
     * @param wordingVersion the version of the consent text the customer saw (may be null)
     * @return the new row's id
     */
    public long record(Handle h, long customerId, String purpose, boolean granted, String source, String wordingVersion) {
        return record(h, customerId, purpose, granted, source, wordingVersion, null);
    }

    /** As {@link #record(Handle, long, String, boolean, String, String)}, naming who recorded it. */
    public long record(Handle h, long customerId, String purpose, boolean granted, String source, String wordingVersion,
                       String recordedBy) {
        if (purpose == null || !PURPOSES.contains(purpose)) {
            throw new IllegalArgumentException("'" + purpose + "' is not a consent purpose: use service, contact, marketing or sensitive");
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a consent needs its source (api, mail, survey, paper form …)");
        }
        return h.createQuery("""
                        insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by)
                        values (:customer, :purpose, :granted, :source, :wording, :by) returning id""")
                .bind("customer", customerId).bind("purpose", purpose).bind("granted", granted)
                .bind("source", source.strip())
                .bind("wording", wordingVersion == null || wordingVersion.isBlank() ? null : wordingVersion.strip())
                .bind("by", recordedBy)
                .mapTo(Long.class).one();
    }

    /**
     * What an ingest recorded, by purpose, for its audit entry, in the language of {@code m}: {@code 营销 同意 3，联系
     * 拒绝或撤回 1（同意书版本 纸质-2019）} ({@code consent.file.recorded…}); {@code null} when it recorded none.
     */
    public static String recorded(Handle h, long ingestId, Messages m) {
        List<String> parts = new ArrayList<>();
        List<String> wordings = new ArrayList<>();
        h.createQuery("""
                        select purpose, granted, count(*) as n, string_agg(distinct coalesce(wording_version, '-'), ',') as wordings
                        from consent where source_ingest_id = :ingest group by purpose, granted order by purpose, granted desc""")
                .bind("ingest", ingestId)
                .map((rs, ctx) -> {
                    for (String w : rs.getString("wordings").split(",")) if (!wordings.contains(w)) wordings.add(w);
                    return m.text("consent.file.recorded", "purpose", rs.getString("purpose"),
                            "granted", rs.getBoolean("granted") ? "yes" : "no", "count", rs.getLong("n"));
                })
                .forEach(parts::add);
        return parts.isEmpty() ? null : m.text("consent.file.recorded.list",
                "parts", String.join(m.text("consent.file.separator"), parts), "wordings", String.join(", ", wordings));
    }

    /** The decision that holds per purpose (purposes never decided are absent). */
    public Map<String, Consent> current(long customerId) {
        return jdbi.withHandle(h -> current(h, customerId));
    }

    /** As {@link #current(long)}, in the caller's transaction. */
    public Map<String, Consent> current(Handle h, long customerId) {
        Map<String, Consent> current = new LinkedHashMap<>();
        h.createQuery(SELECT + " " + """
                         where customer_id = :customer and id in (select distinct on (purpose) id from consent
                                                                   where customer_id = :customer
                                                                   order by purpose, recorded_at desc, id desc)
                         order by purpose""")
                .bind("customer", customerId).map(CONSENT)
                .forEach(k -> current.put(k.purpose(), k));
        return current;
    }

    /** Every decision of a customer, newest first. */
    public List<Consent> history(long customerId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT + " where customer_id = :customer order by recorded_at desc, id desc")
                .bind("customer", customerId).map(CONSENT).list());
    }

    /** Whether the latest decision for the purpose is a grant (false when never recorded). */
    public boolean granted(long customerId, String purpose) {
        Consent k = current(customerId).get(purpose);
        return k != null && k.granted();
    }
}
