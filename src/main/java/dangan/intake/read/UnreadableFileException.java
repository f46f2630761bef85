package dangan.intake.read;

import dangan.i18n.Localized;

/**
 * The file as a whole cannot be read; the reason (message bundle area {@code read}) says what is wrong,
 * where (line, column) and what to do about it — never the file's content. {@link #getMessage()} is the
 * English text, for the service log; a person reads {@link #reason()} in their language.
 */
public class UnreadableFileException extends Exception implements Localized.Carrier {

    private static final long serialVersionUID = 1L;

    private final transient Localized reason;

    /** The exception whose reason is the message {@code key} with its named arguments. */
    public UnreadableFileException(Localized reason) {
        this(reason, null);
    }

    /** As {@link #UnreadableFileException(Localized)}, with the technical cause (for the log only). */
    public UnreadableFileException(Localized reason, Throwable cause) {
        super(reason.english(), cause);
        this.reason = reason;
    }

    static UnreadableFileException of(String key, Object... namesAndValues) {
        return new UnreadableFileException(Localized.of(key, namesAndValues));
    }

    @Override
    public Localized reason() {
        return reason;
    }
}
