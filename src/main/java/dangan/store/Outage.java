package dangan.store;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Whether a failure came from the database or the disk rather than from the work itself: the
 * connection broke or could not be had (a database restart, SQLSTATE class 08, 57P), the server ran
 * out of room (class 53: disk full, memory, connections), a serialization failure or deadlock
 * (40001, 40P01), or a local disk full. Such work is worth doing again once the outage is over; a
 * file that fails for such a reason is not at fault and is never set aside for it.
 */
public final class Outage {

    /** What the operating system says when a write finds the disk full (ENOSPC). */
    private static final String DISK_FULL = "No space left on device";

    private Outage() {
    }

    public static boolean isOutage(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) return true;
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                        || state.equals("40001") || state.equals("40P01")) return true;
            }
            if (t instanceof IOException io && io.getMessage() != null && io.getMessage().contains(DISK_FULL)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the disk or the database said, for a message that names the folder or file itself: a file
     * system's reason without its path ("No space left on device"), else the kinds of error only (a
     * library's message may quote content).
     */
    public static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
            if (t instanceof IOException io && io.getMessage() != null && io.getMessage().contains(DISK_FULL)) return DISK_FULL;
        }
        return error == null ? "unknown error" : error.getClass().getSimpleName();
    }
}
