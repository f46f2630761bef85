package dangan.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The blind index of sensitive values (HMAC-SHA-256 under a master-derived key), for matching and
 * de-duplication (D-15): equal values give equal indexes across customers under one master key.
 */
final class BlindIndex {

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    });

    BlindIndex(byte[] masterKey) {
        this.key = new SecretKeySpec(SealedValueCodec.derive(masterKey, "dangan blind index v1"), "HmacSHA256");
    }

    byte[] of(String value) {
        if (value == null) return null;
        try {
            Mac mac = macs.get();
            mac.init(key);
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }
}
