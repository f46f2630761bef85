package dangan.intake.read;

/** The file as a whole cannot be read; the message says what is wrong and what to do about it. */
public class UnreadableFileException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message for the administrator. */
    public UnreadableFileException(String message) {
        super(message);
    }

    /** Creates the exception with a message for the administrator and the technical cause. */
    public UnreadableFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
