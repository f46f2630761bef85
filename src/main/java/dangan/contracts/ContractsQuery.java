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
            throw new IllegalStateException("Configuration key " + KEY + " (environment DANGAN_CONTRACTS_QUERY) is empty"
                    + " while dangan.contracts.db.url is set: give the SQL that reads the contracts, e.g. the default in"
                    + " config/application.properties");
        }
        Matcher m = NAMED.matcher(configured);
        StringBuilder sql = new StringBuilder();
        int since = 0;
        while (m.find()) {
            if (!m.group(1).equals(SINCE)) {
                throw new IllegalStateException("Configuration key " + KEY + ": unknown parameter ':#" + m.group(1)
                        + "'; the only parameter is :#since (the last updated_at already filed)");
            }
            m.appendReplacement(sql, ":" + SINCE);
            since++;
        }
        m.appendTail(sql);
        if (since == 0) {
            throw new IllegalStateException("Configuration key " + KEY + " has no :#since parameter, so every poll would"
                    + " read every contract again: add e.g. 'where updated_at >= :#since order by updated_at'");
        }
        return new ContractsQuery(sql.toString().strip());
    }
}
