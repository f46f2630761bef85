package dangan.audit;

import com.google.crypto.tink.subtle.Hkdf;
import dangan.config.Settings;
import dangan.privacy.MasterKey;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The key the audit chain is made with: HKDF-SHA-256 of the master key, for this purpose only. Whoever
 * can write the database but does not hold the master key cannot compute an entry's hash, so cannot
 * rewrite entries and the head consistently (issue 10).
 */
public final class AuditKey {

    private static final byte[] INFO = "dangan audit chain v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec key;

    private AuditKey(byte[] derived) {
        this.key = new SecretKeySpec(derived, "HmacSHA256");
    }

    /** The audit key of this master key (32 bytes). */
    public static AuditKey of(byte[] masterKey) {
        try {
            return new AuditKey(Hkdf.computeHkdf("HMACSHA256", masterKey, new byte[0], INFO, 32));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA-256 unavailable", e);
        }
    }

    /** The audit key of the configured master key ({@code dangan.master-key}, else {@code DANGAN_HOME/data/master.key}). */
    public static AuditKey configured(Settings settings) {
        return of(MasterKey.resolve(settings.get("dangan.master-key"), settings.home().resolve("data").resolve("master.key"),
                dangan.i18n.Messages.of(settings)));
    }

    Mac mac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }
}
