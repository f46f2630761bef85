package dangan.contracts;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configured contracts query ({@code dangan.contracts.query}) with its parameter {@code :#since} —
 * the watermark, the last {@code updated_at} filed — turned into the named bind parameter {@code :since}
 * (Jdbi, see {@code dangan.store.Db}). No value is ever pasted into the SQL text.
 */
public record ContractsQuery(String sql) {

    static final String KEY = "dangan.contracts.query";
    /** The bind parameter every {@code :#since} becomes. */
    static final String SINCE = "since";
    private static final Pattern NAMED = Pattern.compile(":#([A-Za-z_][A-Za-z0-9_]*)");

    public static ContractsQuery parse(String configured) {
        if (configured == null || configured.isBlank()) {
            throw dangan.i18n.ConfigurationException.of("config.contracts.empty");
        }
        Matcher m = NAMED.matcher(configured);
        StringBuilder sql = new StringBuilder();
        int since = 0;
        while (m.find()) {
            if (!m.group(1).equals(SINCE)) {
                throw dangan.i18n.ConfigurationException.of("config.contracts.parameter", "name", m.group(1));
            }
            m.appendReplacement(sql, ":" + SINCE);
            since++;
        }
        m.appendTail(sql);
        if (since == 0) {
            throw dangan.i18n.ConfigurationException.of("config.contracts.no-since");
        }
        return new ContractsQuery(sql.toString().strip());
    }
}
