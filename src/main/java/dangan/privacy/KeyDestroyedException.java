package dangan.privacy;

import java.util.UUID;

/**
 * A sealed value whose customer key is gone: the customer's archive was destroyed (D-31), so the
 * value cannot be read any more, by anyone, from any copy. Callers that show values turn it into
 * {@link SensitiveFields#DESTROYED} ("[destroyed]").
 */
public final class KeyDestroyedException extends RuntimeException {

    private final UUID keyId;

    public KeyDestroyedException(UUID keyId) {
        super("the customer key " + keyId + " that sealed this value no longer exists (the customer's archive was"
                + " destroyed): the value cannot be read any more");
        this.keyId = keyId;
    }

    public UUID keyId() {
        return keyId;
    }
}
