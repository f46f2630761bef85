package dangan.backup;

/**
 * A backup or restore that cannot go on, with the exit status the command returns and a message
 * that says what, where, why and what to do.
 */
public final class BackupFailure extends RuntimeException {

    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** The file cannot be decrypted or does not verify: wrong master key, altered, truncated, not a backup. */
    public static final int BAD_FILE = 65;
    /** The file (or its keyring, or the master key) is not there. */
    public static final int NO_INPUT = 66;
    /** The target database is not empty, or newer than the backup. */
    public static final int TARGET_NOT_EMPTY = 73;
    /** Anything else (database unreachable, disk full …). */
    public static final int FAILED = 1;

    private final int status;

    public BackupFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    public BackupFailure(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
