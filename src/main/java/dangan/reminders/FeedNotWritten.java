package dangan.reminders;

import dangan.i18n.Localized;

import java.io.IOException;

/**
 * A job's feed could not be written (a full disk, a folder that cannot be written): the reason (bundle area
 * {@code recovery}) names the job, the day and the folder, and is said in the reader's language where it is read —
 * the job's recorded error, the log line of the failed run, the API's answer; {@link #getMessage()} is the English,
 * for stack traces.
 */
public final class FeedNotWritten extends IOException implements Localized.Carrier {

    private static final long serialVersionUID = 1L;

    private final transient Localized reason;

    FeedNotWritten(Localized reason, Throwable cause) {
        super(reason.english(), cause);
        this.reason = reason;
    }

    @Override
    public Localized reason() {
        return reason;
    }
}
