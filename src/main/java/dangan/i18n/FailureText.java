package dangan.i18n;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;

/**
 * What a person reads of a failure (a job's error on the console, a command's last line, a backup's or restore's
 * {@code {detail}}, a parked notification's last error): the reason it carries when it is one of Dangan's own
 * ({@link Localized.Carrier}: a refusal of the rules, a backup failure, a file refused), said from the bundles;
 * otherwise only what kind of failure it was — the database refused a duplicate, the connection broke, the disk is
 * full, a file is missing — from the bundles too (area {@code records}). A library's own sentence or class name is never
 * shown: it stays in the service log, where the caller writes it.
 */
public final class FailureText {

    /** What the operating system says when a write finds the disk full (ENOSPC). */
    private static final String DISK_FULL = "No space left on device";

    private FailureText() {
    }

    /** The failure as a person reads it, in the language of {@code messages}. */
    public static String of(Throwable failure, Messages messages) {
        return said(failure).in(messages);
    }

    /**
     * The one line of a refused start or command: the reason the failure carries (a refused setting inside whatever
     * wrapped it, a refusal of the rules), else the exception's own first line — a text Dangan already said from the
     * bundles ({@code cli.startup.port-in-use}) — or its type when it has no message.
     */
    public static String line(Throwable failure, Messages messages) {
        Localized carried = carried(failure);
        if (carried != null) return carried.in(messages);
        String message = failure.getMessage();
        return (message == null || message.isBlank() ? failure.getClass().getSimpleName() : message).lines().findFirst().orElse("");
    }

    /** The failure as a person reads it, said later in the reader's language. */
    public static Localized said(Throwable failure) {
        Localized carried = carried(failure);
        return carried != null ? carried : Localized.of("records.failure", "kind", kind(failure));
    }

    /** The reason one of Dangan's own failures carries (the failure or one of its causes); null when none does. */
    public static Localized carried(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Localized.Carrier c && c.reason() != null) return c.reason();
        }
        return null;
    }

    /**
     * The kind of a failure, from the outermost cause that says: {@code database_duplicate}, {@code database_cancelled},
     * {@code database_connection}, {@code database_encoding}, {@code database_login}, {@code database_permission},
     * {@code database}, {@code disk}, {@code file_missing}, {@code file_permission}, {@code file}, {@code mail}, or
     * {@code other} (the keys of {@code records.failure}).
     */
    public static String kind(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) return database(sql);
            if (t instanceof IOException io) {
                if (io.getMessage() != null && io.getMessage().contains(DISK_FULL)) return "disk";
                if (io instanceof NoSuchFileException) return "file_missing";
                if (io instanceof AccessDeniedException) return "file_permission";
                if (io.getClass().getName().startsWith("jakarta.mail.")) return "mail";
                return "file";
            }
            if (t.getClass().getName().startsWith("jakarta.mail.")) return "mail";
        }
        return "other";
    }

    private static String database(SQLException sql) {
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.equals("23505")) return "database_duplicate";
        if (state.equals("57014")) return "database_cancelled";
        if (state.startsWith("08") || state.startsWith("57P")) return "database_connection";
        if (state.equals("22021") || state.equals("22P05")) return "database_encoding";
        if (state.startsWith("28")) return "database_login";
        if (state.equals("42501")) return "database_permission";
        if (state.equals("53100")) return "disk";
        return "database";
    }
}
