package dangan.intake;

/**
 * A file whose filing was cut off by the database or the disk (see {@link dangan.store.Outage}), not by
 * anything in the file: its transaction rolled back, nothing of it is filed. The drop folder's error
 * configuration (routes/intake-errors.yaml) tries it again with back-off and, while the outage lasts,
 * leaves it in the inbox to be taken again — it is never set aside in {@code failed/} for it.
 */
public final class IntakeInterrupted extends Exception {

    public IntakeInterrupted(String message, Throwable cause) {
        super(message, cause);
    }
}
