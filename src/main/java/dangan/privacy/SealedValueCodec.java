package dangan.privacy;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;

/**
 * The byte formats of sealed values and wrapped keys (AES-256-GCM), with no database and no cache:
 * <ul>
 * <li>version 2, a customer's value: {@code 0x02 | key id (16 bytes) | nonce (12) | ciphertext+tag}, version and
 *     key id as associated data, so a value cannot be moved under another key's name;</li>
 * <li>version 1, the service key's: {@code 0x01 | nonce | ciphertext+tag} (values from before per-customer keys,
 *     and text tied to no customer);</li>
 * <li>a wrapped data key: {@code 0x01 | nonce | sealed key} under the key-encryption key, its id as associated data.</li>
 * </ul>
 */
final class SealedValueCodec {

    static final byte V1 = 1;
    static final byte V2 = 2;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final int ID_BYTES = 16;
    private static final byte WRAP_VERSION = 1;
    private static final byte[] WRAP_CONTEXT = "dangan customer key".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec serviceKey;
    private final SecretKeySpec wrappingKey;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(SealedValueCodec::newCipher);

    SealedValueCodec(byte[] masterKey) {
        this.serviceKey = new SecretKeySpec(derive(masterKey, "dangan field encryption v1"), "AES");
        this.wrappingKey = new SecretKeySpec(derive(masterKey, "dangan customer key wrapping v1"), "AES");
    }

    /** A fresh random data key with its id, wrapped under the key-encryption key. */
    DataKey newKey() {
        byte[] fresh = new byte[KEY_BYTES + ID_BYTES + NONCE_BYTES]; // one draw: key, id, wrapping nonce
        random.nextBytes(fresh);
        byte[] raw = Arrays.copyOfRange(fresh, 0, KEY_BYTES);
        byte[] idBytes = Arrays.copyOfRange(fresh, KEY_BYTES, KEY_BYTES + ID_BYTES);
        byte[] nonce = Arrays.copyOfRange(fresh, KEY_BYTES + ID_BYTES, fresh.length);
        Arrays.fill(fresh, (byte) 0);
        idBytes[6] = (byte) ((idBytes[6] & 0x0f) | 0x40); // version 4
        idBytes[8] = (byte) ((idBytes[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer b = ByteBuffer.wrap(idBytes);
        UUID id = new UUID(b.getLong(), b.getLong());
        byte[] sealed = seal(wrappingKey, nonce, wrapAad(id), raw);
        byte[] wrapped = ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(WRAP_VERSION).put(nonce).put(sealed).array();
        SecretKey key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
        return new DataKey(id, key, wrapped);
    }

    SecretKey unwrap(UUID id, byte[] wrapped) {
        if (wrapped == null || wrapped.length < 1 + NONCE_BYTES || wrapped[0] != WRAP_VERSION) {
            throw new IllegalStateException("customer key " + id + " is not a wrapped Dangan key");
        }
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, wrappingKey, new GCMParameterSpec(TAG_BITS, wrapped, 1, NONCE_BYTES));
            cipher.updateAAD(wrapAad(id));
            byte[] raw = cipher.doFinal(wrapped, 1 + NONCE_BYTES, wrapped.length - 1 - NONCE_BYTES);
            SecretKey key = new SecretKeySpec(raw, "AES");
            Arrays.fill(raw, (byte) 0);
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot unwrap customer key " + id + ": wrong master key or altered key row", e);
        }
    }

    /** Seals a customer's value under its key (version 2). */
    byte[] sealV2(DataKey key, String plaintext) {
        byte[] nonce = nonce();
        byte[] header = ByteBuffer.allocate(1 + ID_BYTES).put(V2)
                .putLong(key.id().getMostSignificantBits()).putLong(key.id().getLeastSignificantBits()).array();
        byte[] sealed = seal(key.key(), nonce, header, plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(header.length + NONCE_BYTES + sealed.length).put(header).put(nonce).put(sealed).array();
    }

    /** Seals text under the service key (version 1). */
    byte[] sealV1(String plaintext) {
        byte[] nonce = nonce();
        byte[] sealed = seal(serviceKey, nonce, null, plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(V1).put(nonce).put(sealed).array();
    }

    static boolean isV2(byte[] sealed) {
        return sealed.length > 0 && sealed[0] == V2;
    }

    /** The id of the customer key that sealed a version 2 value. */
    static UUID keyId(byte[] sealed) {
        if (sealed == null || sealed.length < 1 + ID_BYTES + NONCE_BYTES || sealed[0] != V2) {
            throw new IllegalArgumentException("Not a Dangan value sealed with a customer key");
        }
        ByteBuffer b = ByteBuffer.wrap(sealed, 1, ID_BYTES);
        return new UUID(b.getLong(), b.getLong());
    }

    String openV2(SecretKey key, byte[] sealed) {
        int headerLength = 1 + ID_BYTES;
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, headerLength, NONCE_BYTES));
            cipher.updateAAD(sealed, 0, headerLength);
            byte[] plain = cipher.doFinal(sealed, headerLength + NONCE_BYTES, sealed.length - headerLength - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot decrypt a sensitive field: altered data or a key of another value", e);
        }
    }

    String openV1(byte[] sealed) {
        if (sealed.length < 1 + NONCE_BYTES || sealed[0] != V1) {
            throw new IllegalArgumentException("Not a Dangan-encrypted value");
        }
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, serviceKey, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            byte[] plain = cipher.doFinal(sealed, 1 + NONCE_BYTES, sealed.length - 1 - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot decrypt a sensitive field: wrong master key or altered data", e);
        }
    }

    private byte[] seal(SecretKey key, byte[] nonce, byte[] aad, byte[] plain) {
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            if (aad != null) cipher.updateAAD(aad);
            return cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    private static byte[] wrapAad(UUID id) {
        return ByteBuffer.allocate(WRAP_CONTEXT.length + ID_BYTES).put(WRAP_CONTEXT)
                .putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** A key for one purpose, derived from the master key (HMAC-SHA-256 of the purpose). */
    static byte[] derive(byte[] masterKey, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }
}
