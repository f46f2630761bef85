package dangan.rules;

/**
 * A request the archive's rules refuse as asked — an expected outcome, not a crash. Domain code
 * throws one of the four kinds; it knows nothing of HTTP: the API layer answers them
 * ({@code dangan.access.ApiProblem#of}: 400, 403, 404, 409), a mail reply or a command says the
 * message. The message is for the person who asked: what, where, why, and what to do.
 */
public abstract sealed class RuleException extends RuntimeException
        permits RuleException.Invalid, RuleException.NotFound, RuleException.Conflict, RuleException.NotPermitted {

    private RuleException(String message) {
        super(message);
    }

    /** What was asked is malformed or incomplete (a missing reason, an unknown method). */
    public static final class Invalid extends RuleException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** What was asked for does not exist, or the asker may not know that it does. */
    public static final class NotFound extends RuleException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** It exists, but its state does not allow this now (already decided, sealed, under a legal hold). */
    public static final class Conflict extends RuleException {
        public Conflict(String message) {
            super(message);
        }
    }

    /** The rules refuse this person this act, whatever their role (e.g. deciding a proposal one filed oneself). */
    public static final class NotPermitted extends RuleException {
        public NotPermitted(String message) {
            super(message);
        }
    }
}
