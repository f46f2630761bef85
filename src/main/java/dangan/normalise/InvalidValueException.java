package dangan.normalise;

/** Thrown when a spreadsheet value cannot be normalised; the message tells front-desk staff what to fix. */
public final class InvalidValueException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a reason that names the value and what was expected. */
    public InvalidValueException(String reason) {
        super(reason);
    }

    /** The human-readable reason, identical to {@link #getMessage()}. */
    public String reason() {
        return getMessage();
    }
}
