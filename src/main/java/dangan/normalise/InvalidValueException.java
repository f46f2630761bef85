package dangan.normalise;

import dangan.i18n.Language;
import dangan.i18n.Localized;
import dangan.i18n.Messages;

/**
 * Thrown when a spreadsheet value cannot be normalised; the message tells front-desk staff what to fix.
 * Its reason comes from the message bundles (area {@code normalise}): {@link #reason(Messages)} in the
 * reader's language, {@link #getMessage()} in English.
 */
public final class InvalidValueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final transient Object[] arguments;

    private InvalidValueException(String key, Object[] arguments) {
        super(Messages.of(Language.EN).text(key, arguments));
        this.key = key;
        this.arguments = arguments;
    }

    /** The exception whose reason is the message {@code key} (area normalise) with its named arguments. */
    public static InvalidValueException of(String key, Object... namesAndValues) {
        return new InvalidValueException(key, namesAndValues);
    }

    /** The human-readable reason in English, identical to {@link #getMessage()}. */
    public String reason() {
        return getMessage();
    }

    /** The reason in the language of {@code messages}. */
    public String reason(Messages messages) {
        return messages.text(key, arguments);
    }

    /** The reason as its key and arguments, to be said later in a reader's language. */
    public Localized localized() {
        return key == null ? Localized.of("normalise.as-is", "text", getMessage()) : Localized.of(key, arguments);
    }
}
