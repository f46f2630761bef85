package dangan.rules;

import dangan.i18n.Language;
import dangan.i18n.Localized;
import dangan.i18n.Messages;

/**
 * A request the archive's rules refuse as asked — an expected outcome, not a crash. Domain code
 * throws one of the four kinds; it knows nothing of HTTP: the API layer answers them
 * ({@code dangan.access.ApiProblem#of}: 400, 403, 404, 409), a mail reply or a command says the
 * message. The message is for the person who asked: what, where, why, and what to do.
 *
 * <p>A refusal built with a message key ({@link #invalid}, {@link #notFound}, {@link #conflict},
 * {@link #notPermitted}) is said in the reader's language ({@link #message(Messages)}: the API answers
 * in the request's {@code Accept-Language}, commands in {@code dangan.locale}); its {@link #getMessage()}
 * is the English text, for logs and stack traces.
 */
public abstract sealed class RuleException extends RuntimeException implements Localized.Carrier
        permits RuleException.Invalid, RuleException.NotFound, RuleException.Conflict, RuleException.NotPermitted {

    private final String key;
    private final Object[] arguments;

    private RuleException(String message) {
        this(message, null, new Object[0]);
    }

    private RuleException(String message, String key, Object[] arguments) {
        super(message);
        this.key = key;
        this.arguments = arguments;
    }

    /** The message key, or null when the refusal was written as a text. */
    public String key() {
        return key;
    }

    /** The named arguments of the key, as name/value pairs. */
    public Object[] arguments() {
        return arguments.clone();
    }

    /** The refusal as a key and its arguments, said in any language; null when it was written as a text. */
    @Override
    public Localized reason() {
        return key == null ? null : Localized.of(key, arguments);
    }

    /** The refusal as a person reads it in a language: from the bundles when it has a key, else as written. */
    public String message(Messages messages) {
        return key == null ? getMessage() : messages.text(key, arguments);
    }

    private static String english(String key, Object[] namesAndValues) {
        return Messages.of(Language.EN).text(key, namesAndValues);
    }

    /** An invalid request, said by the message {@code key} with its named arguments. */
    public static Invalid invalid(String key, Object... namesAndValues) {
        return new Invalid(english(key, namesAndValues), key, namesAndValues);
    }

    /** Something that does not exist, said by the message {@code key}. */
    public static NotFound notFound(String key, Object... namesAndValues) {
        return new NotFound(english(key, namesAndValues), key, namesAndValues);
    }

    /** A state that does not allow this now, said by the message {@code key}. */
    public static Conflict conflict(String key, Object... namesAndValues) {
        return new Conflict(english(key, namesAndValues), key, namesAndValues);
    }

    /** An act the rules refuse this person, said by the message {@code key}. */
    public static NotPermitted notPermitted(String key, Object... namesAndValues) {
        return new NotPermitted(english(key, namesAndValues), key, namesAndValues);
    }

    /** What was asked is malformed or incomplete (a missing reason, an unknown method). */
    public static final class Invalid extends RuleException {
        public Invalid(String message) {
            super(message);
        }

        private Invalid(String message, String key, Object[] arguments) {
            super(message, key, arguments);
        }
    }

    /** What was asked for does not exist, or the asker may not know that it does. */
    public static final class NotFound extends RuleException {
        public NotFound(String message) {
            super(message);
        }

        private NotFound(String message, String key, Object[] arguments) {
            super(message, key, arguments);
        }
    }

    /** It exists, but its state does not allow this now (already decided, sealed, under a legal hold). */
    public static final class Conflict extends RuleException {
        public Conflict(String message) {
            super(message);
        }

        private Conflict(String message, String key, Object[] arguments) {
            super(message, key, arguments);
        }
    }

    /** The rules refuse this person this act, whatever their role (e.g. deciding a proposal one filed oneself). */
    public static final class NotPermitted extends RuleException {
        public NotPermitted(String message) {
            super(message);
        }

        private NotPermitted(String message, String key, Object[] arguments) {
            super(message, key, arguments);
        }
    }
}
