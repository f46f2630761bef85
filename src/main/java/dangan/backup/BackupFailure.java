package dangan.backup;

import dangan.i18n.Localized;
import dangan.i18n.Messages;

/**
 * A backup or restore that cannot go on, with the exit status the command returns and a reason
 * that says what, where, why and what to do — from the bundles (area {@code backup}), said in the
 * reader's language by {@link #reason(Messages)}; {@link #getMessage()} is the English, for stack traces only: a
 * person reads the keyed reason, whichever way the failure reaches them (a command, a job's error, the log).
 */
public final class BackupFailure extends RuntimeException implements Localized.Carrier {

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
    private final transient Localized reason;

    public BackupFailure(int status, Localized reason) {
        super(reason.english());
        this.status = status;
        this.reason = reason;
    }

    public BackupFailure(int status, Localized reason, Throwable cause) {
        super(reason.english(), cause);
        this.status = status;
        this.reason = reason;
    }

    /** The reason, said in any language (a job's recorded error, the log: {@code dangan.locale}'s). */
    @Override
    public Localized reason() {
        return reason;
    }

    /** The reason in the language of {@code messages}. */
    public String reason(Messages messages) {
        return reason.in(messages);
    }

    public int status() {
        return status;
    }
}
