package dangan.intake;

import dangan.i18n.Localized;

/**
 * A file that as a whole is not something intake can file (no name column, wrong kind of sheet…); the
 * reason comes from the message bundles, {@link #getMessage()} is its English text for the log.
 */
public class FileRejectedException extends RuntimeException implements Localized.Carrier {

    private final transient Localized reason;

    public FileRejectedException(Localized reason) {
        super(reason.english());
        this.reason = reason;
    }

    public static FileRejectedException of(String key, Object... namesAndValues) {
        return new FileRejectedException(Localized.of(key, namesAndValues));
    }

    @Override
    public Localized reason() {
        return reason;
    }
}
