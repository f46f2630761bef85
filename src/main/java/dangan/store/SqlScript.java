package dangan.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.Update;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Long set-based SQL (a job, a step of the merge), kept in {@code src/main/resources/sql/NAME.sql} so
 * the very same text runs from the service and from {@code psql} (the benchmarks compare the two).
 * Parameters are written the psql way, {@code :'as_of'}, and bound as parameters here — never spliced
 * into the text: with Jdbi as named parameters ({@link #update}, {@link #query}).
 */
public final class SqlScript {

    private static final Pattern PARAMETER = Pattern.compile(":'([a-z_][a-z0-9_]*)'");
    /** A statement's closing {@code on conflict (…) do nothing}. */
    private static final Pattern DO_NOTHING = Pattern.compile("\\s+on\\s+conflict\\s*\\([^()]*\\)\\s*do\\s+nothing\\s*;?\\s*$",
            Pattern.CASE_INSENSITIVE);

    private final String name;
    private final String text;
    private final String named;

    private SqlScript(String name, String text) {
        this.name = name;
        this.text = text;
        String statement = PARAMETER.matcher(text).replaceAll(":$1").strip();
        this.named = statement.endsWith(";") ? statement.substring(0, statement.length() - 1) : statement;
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

    /**
     * The same statement without its closing {@code on conflict (…) do nothing}, named {@code name}: for rows that
     * cannot conflict, which it inserts without looking their keys up first (a fact of an archive the same merge
     * opened, issue 14). The file stays the one statement psql runs; the script must end with such a clause.
     */
    public SqlScript withoutConflictClause(String name) {
        Matcher clause = DO_NOTHING.matcher(text);
        if (!clause.find()) throw new IllegalStateException("SQL script " + this.name + " does not end with on conflict … do nothing");
        return new SqlScript(name, text.substring(0, clause.start()));
    }

    /** The text as psql runs it (with {@code -v as_of=2026-01-01}). */
    public String text() {
        return text;
    }

    /**
     * The script as a Jdbi update on the handle, every parameter bound from the map (one the script
     * does not use is ignored, so a family of scripts can share one map; a missing one is an error).
     */
    public Update update(Handle h, Map<String, ?> parameters) {
        return h.createUpdate(named).configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
                .bindMap(parameters);
    }

    /** As {@link #update}, for a script that answers rows. */
    public Query query(Handle h, Map<String, ?> parameters) {
        return h.createQuery(named).configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
                .bindMap(parameters);
    }

    /** The plan the database would run the script with, as {@code explain (format json)} prints it (nothing is run). */
    public String explain(Handle h, Map<String, ?> parameters) {
        return h.createQuery("explain (format json) " + named).configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
                .bindMap(parameters).mapTo(String.class).one();
    }
}
