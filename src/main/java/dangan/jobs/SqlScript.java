package dangan.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set-based job's SQL, kept in {@code src/main/resources/sql/NAME.sql} so the very same text runs
 * from the service and from {@code psql} (the benchmarks compare the two). Parameters are written
 * the psql way, {@code :'as_of'}, and bound as JDBC parameters here — never spliced into the text.
 */
public final class SqlScript {

    private static final Pattern PARAMETER = Pattern.compile(":'([a-z_][a-z0-9_]*)'");

    private final String name;
    private final String text;

    private SqlScript(String name, String text) {
        this.name = name;
        this.text = text;
    }

    /** Loads {@code sql/NAME.sql} from the classpath. */
    public static SqlScript load(String name) {
        String resource = "sql/" + name + ".sql";
        try (InputStream in = SqlScript.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("Missing SQL script " + resource);
            return new SqlScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    /** The text as psql runs it (with {@code -v as_of=2026-01-01}). */
    public String text() {
        return text;
    }

    /** Prepares the script with its {@code :'name'} parameters bound from the map (missing ones are an error). */
    public PreparedStatement prepare(Connection c, Map<String, ?> parameters) throws SQLException {
        Matcher m = PARAMETER.matcher(text);
        StringBuilder sql = new StringBuilder();
        List<Object> values = new ArrayList<>();
        while (m.find()) {
            String key = m.group(1);
            if (!parameters.containsKey(key)) {
                throw new IllegalArgumentException("SQL script " + name + " needs parameter '" + key + "'");
            }
            values.add(parameters.get(key));
            m.appendReplacement(sql, "?");
        }
        m.appendTail(sql);
        String statement = sql.toString().strip();
        if (statement.endsWith(";")) statement = statement.substring(0, statement.length() - 1);
        PreparedStatement ps = c.prepareStatement(statement);
        for (int i = 0; i < values.size(); i++) {
            ps.setObject(i + 1, values.get(i));
        }
        return ps;
    }
}
