package dangan.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The mark a restore leaves on its target while it runs: the comment of the schema {@code public}
 * (catalog data, so it needs no table — the schema is created at the backup's version, which may
 * predate any table for it). A restore sets it, committed, before it creates the schema, and clears it
 * in the transaction that loads the rows: the rows and the cleared mark commit together. A database that
 * still carries it was left by a restore that was interrupted (killed, the machine lost): it holds the
 * schema and no rows, and the service refuses to start on it ({@link ArchiveDatabase#open}) until a restore
 * takes it over.
 */
public final class RestoreMark {

    private static final String PREFIX = "dangan: restore in progress|";

    /** A restore of {@code file} (its name) that started at {@code started}. */
    public record Mark(String file, Instant started) {
    }

    private RestoreMark() {
    }

    /** The mark of an unfinished restore, if the database carries one. */
    public static Optional<Mark> find(Handle h) {
        String comment = h.createQuery("select obj_description(cast('public' as regnamespace), 'pg_namespace') as comment")
                .mapTo(String.class).one();
        if (comment == null || !comment.startsWith(PREFIX)) return Optional.empty();
        String[] parts = comment.substring(PREFIX.length()).split("\\|", 2);
        try {
            return Optional.of(new Mark(parts.length > 1 ? parts[1] : "?", Instant.parse(parts[0])));
        } catch (RuntimeException e) {
            return Optional.of(new Mark(comment.substring(PREFIX.length()), Instant.EPOCH));
        }
    }

    /**
     * Marks the database (committed on its own, before anything is created). False when the restore's
     * user may not (only the owner of schema {@code public} may comment on it): then nothing is marked.
     */
    public static boolean set(Handle h, Mark mark) {
        // a utility statement takes no bind parameters: the text is quoted by the server from a bound value
        String literal = h.createQuery("select quote_literal(:text) as literal")
                .bind("text", PREFIX + mark.started() + "|" + mark.file()).mapTo(String.class).one();
        try {
            h.execute("comment on schema public is " + literal);
            return true;
        } catch (JdbiException e) {
            if (Db.sqlState(e).filter("42501"::equals).isPresent()) return false; // insufficient privilege
            throw e;
        }
    }

    /** When a restore started, as people read it in the service's zone ({@code 2026-12-06 01:30:00}). */
    public static String local(Instant started, ZoneId zone) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(started.atZone(zone));
    }

    /** Clears the mark (in the transaction that loads the rows: both commit together). */
    public static void clear(Handle h) {
        h.execute("comment on schema public is null");
    }
}
