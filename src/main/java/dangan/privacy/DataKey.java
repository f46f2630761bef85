package dangan.privacy;

import javax.crypto.SecretKey;
import java.util.UUID;

/**
 * A customer's data key (AES-256): its id (named in the header of every value it seals), the key
 * itself (only in memory) and its wrapped form (sealed with the key-encryption key, as stored in
 * {@code customer_key.wrapped}).
 */
public record DataKey(UUID id, SecretKey key, byte[] wrapped) {

    @Override
    public String toString() {
        return "DataKey[" + id + "]"; // never the key
    }
}
