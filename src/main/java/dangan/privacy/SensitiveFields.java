package dangan.privacy;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * THE one place that seals and opens sensitive values (D-28: resident ID numbers, health data),
 * and computes their blind index.
 *
 * <p><b>Per-customer keys (crypto-shredding).</b> Every sensitive value of a customer is sealed with
 * AES-256-GCM under a random data key that belongs to exactly one customer (table {@code customer_key},
 * the key stored there wrapped with a key-encryption key derived from the master key). A value
 * (version 2) is {@code 0x02 | key id (16 bytes) | nonce (12) | ciphertext+tag}, with the version and
 * key id as associated data, so a value cannot be moved under another key's name. Deleting a
 * customer's rows of {@code customer_key} makes all its values unreadable — in the database and in
 * every backup made before: {@link #decrypt(byte[])} then throws {@link KeyDestroyedException}.
 *
 * <p><b>Version 1</b> values ({@code 0x01 | nonce | ciphertext+tag} under the master-derived service
 * key) still open: data sealed before per-customer keys existed, until {@code keys reseal} re-seals it,
 * and text tied to no customer (the raw line of a rejected input line), which stays under the service
 * key ({@link #encrypt(String)}).
 *
 * <p>The blind index (HMAC-SHA-256 for matching and de-duplication) stays master-derived: equal
 * values must match across customers (D-15).
 *
 * <p>Unwrapped keys are kept in a small bounded cache (size and time-to-live configurable); code that
 * destroys keys calls {@link #forget(long)} after its commit, and other instances see a destruction
 * within the cache's time-to-live.
 */
public final class SensitiveFields {

    /** What a reader shows for a value whose key was destroyed. */
    public static final String DESTROYED = "[destroyed]";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_BYTES = 32;
    private static final int ID_BYTES = 16;
    private static final byte V1 = 1;
    private static final byte V2 = 2;
    private static final byte WRAP_VERSION = 1;
    private static final byte[] WRAP_CONTEXT = "dangan customer key".getBytes(StandardCharsets.UTF_8);

    private final SecretKeySpec serviceKey;
    private final SecretKeySpec wrappingKey;
    private final SecretKeySpec indexKey;
    private final DataSource dataSource;
    private final KeyCache cache;
    private final SecureRandom random = new SecureRandom();
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(SensitiveFields::newCipher);
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    });

    /** Without a database: version 1 values and keys created in this process only (tests, tools). */
    public SensitiveFields(byte[] masterKey) {
        this(masterKey, null, 10_000, Duration.ofSeconds(30));
    }

    /**
     * @param dataSource where {@code customer_key} lives
     * @param cacheSize  most unwrapped keys kept in memory
     * @param cacheTtl   how long an unwrapped key is used without looking at {@code customer_key} again
     */
    public SensitiveFields(byte[] masterKey, DataSource dataSource, int cacheSize, Duration cacheTtl) {
        this.serviceKey = new SecretKeySpec(derive(masterKey, "dangan field encryption v1"), "AES");
        this.wrappingKey = new SecretKeySpec(derive(masterKey, "dangan customer key wrapping v1"), "AES");
        this.indexKey = new SecretKeySpec(derive(masterKey, "dangan blind index v1"), "HmacSHA256");
        this.dataSource = dataSource;
        this.cache = new KeyCache(cacheSize, cacheTtl.toNanos());
    }

    /**
     * As configured: the master key ({@code dangan.master-key}, else {@code DANGAN_HOME/data/master.key}),
     * keys in the database, cache {@code dangan.keys.cache-size} keys for {@code dangan.keys.cache-seconds}.
     */
    public static SensitiveFields configured(dangan.config.Settings settings, DataSource dataSource) {
        return new SensitiveFields(
                MasterKey.resolve(settings.get("dangan.master-key"), settings.home().resolve("data").resolve("master.key")),
                dataSource, settings.getInt("dangan.keys.cache-size", 10_000),
                Duration.ofSeconds(settings.getInt("dangan.keys.cache-seconds", 30)));
    }

    // ---- keys -------------------------------------------------------------------------------

    /**
     * A fresh data key, not yet stored: the bulk path seals a staged line's values with it and
     * stages {@link DataKey#id()} and {@link DataKey#wrapped()} with the line; the merge files the
     * key under the customer the line belongs to.
     */
    public DataKey newKey() {
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

    /**
     * The customer's current key (the newest row of {@code customer_key}), or a new one stored for
     * the customer in the caller's transaction.
     */
    public DataKey keyOf(Connection c, long customerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select id, wrapped from customer_key where customer_id = ? order by created_at desc, id limit 1")) {
            ps.setLong(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    byte[] wrapped = rs.getBytes(2);
                    DataKey key = new DataKey(id, unwrap(id, wrapped), wrapped);
                    cache.put(id, customerId, key.key());
                    return key;
                }
            }
        }
        DataKey key = newKey();
        store(c, customerId, key);
        return key;
    }

    /** Files a key under its customer (in the caller's transaction). */
    public void store(Connection c, long customerId, DataKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into customer_key (id, customer_id, wrapped) values (?, ?, ?)")) {
            ps.setObject(1, key.id());
            ps.setLong(2, customerId);
            ps.setBytes(3, key.wrapped());
            ps.executeUpdate();
        }
        cache.put(key.id(), customerId, key.key());
    }

    /** Drops a customer's keys from the cache: call it after the transaction that destroyed them committed. */
    public void forget(long customerId) {
        cache.forgetCustomer(customerId);
    }

    /** Drops every cached key. */
    public void forgetAll() {
        cache.clear();
    }

    // ---- sealing ----------------------------------------------------------------------------

    /** Seals a value of the key's customer (version 2); null stays null. */
    public byte[] encrypt(DataKey key, String plaintext) {
        if (plaintext == null) return null;
        byte[] nonce = nonce();
        byte[] header = ByteBuffer.allocate(1 + ID_BYTES).put(V2)
                .putLong(key.id().getMostSignificantBits()).putLong(key.id().getLeastSignificantBits()).array();
        byte[] sealed = seal(key.key(), nonce, header, plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(header.length + NONCE_BYTES + sealed.length).put(header).put(nonce).put(sealed).array();
    }

    /** Seals a value of a known customer under the customer's key (created in the caller's transaction if it has none). */
    public byte[] encryptFor(Connection c, long customerId, String plaintext) throws SQLException {
        if (plaintext == null) return null;
        return encrypt(keyOf(c, customerId), plaintext);
    }

    /**
     * Seals text that belongs to no customer (version 1, the master-derived service key): only the raw
     * text of a rejected input line, which was never filed on an archive. Anything filed for a
     * customer goes through {@link #encrypt(DataKey, String)} or {@link #encryptFor}.
     */
    public byte[] encrypt(String plaintext) {
        if (plaintext == null) return null;
        byte[] nonce = nonce();
        byte[] sealed = seal(serviceKey, nonce, null, plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(V1).put(nonce).put(sealed).array();
    }

    // ---- opening ----------------------------------------------------------------------------

    /**
     * Opens any stored value (version 1 or 2); null stays null. A version 2 value's key is looked up
     * in {@code customer_key} (through the cache).
     *
     * @throws KeyDestroyedException when the value's customer key no longer exists
     */
    public String decrypt(byte[] sealed) {
        if (sealed == null) return null;
        if (sealed.length > 0 && sealed[0] == V2) {
            UUID id = keyId(sealed);
            SecretKey key = cache.get(id);
            if (key == null) {
                if (dataSource == null) {
                    throw new IllegalStateException("cannot open a value sealed with customer key " + id
                            + ": this SensitiveFields has no database to look the key up in");
                }
                try (Connection c = dataSource.getConnection()) {
                    key = load(c, id);
                } catch (SQLException e) {
                    throw new IllegalStateException("Cannot read customer key " + id + ": " + e.getMessage(), e);
                }
            }
            return openV2(key, sealed);
        }
        return openV1(sealed);
    }

    /** As {@link #decrypt(byte[])}, looking keys up on the caller's connection (sees keys of its own open transaction). */
    public String decrypt(Connection c, byte[] sealed) throws SQLException {
        if (sealed == null) return null;
        if (sealed.length > 0 && sealed[0] == V2) {
            UUID id = keyId(sealed);
            SecretKey key = cache.get(id);
            if (key == null) key = load(c, id);
            return openV2(key, sealed);
        }
        return openV1(sealed);
    }

    /** As {@link #decrypt(byte[])}, but a value whose key was destroyed reads {@link #DESTROYED}. */
    public String decryptOrDestroyed(byte[] sealed) {
        try {
            return decrypt(sealed);
        } catch (KeyDestroyedException e) {
            return DESTROYED;
        }
    }

    /** The format version of a stored value: 1 (service key) or 2 (customer key); 0 for null. */
    public static int version(byte[] sealed) {
        if (sealed == null || sealed.length == 0) return 0;
        return sealed[0];
    }

    /** The id of the customer key that sealed a version 2 value. */
    public static UUID keyId(byte[] sealed) {
        if (sealed == null || sealed.length < 1 + ID_BYTES + NONCE_BYTES || sealed[0] != V2) {
            throw new IllegalArgumentException("Not a Dangan value sealed with a customer key");
        }
        ByteBuffer b = ByteBuffer.wrap(sealed, 1, ID_BYTES);
        return new UUID(b.getLong(), b.getLong());
    }

    /** Keyed hash for equality matching; equal inputs give equal outputs under one master key. */
    public byte[] blindIndex(String value) {
        if (value == null) return null;
        try {
            Mac mac = macs.get();
            mac.init(indexKey);
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    // ---- internals --------------------------------------------------------------------------

    private SecretKey load(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select customer_id, wrapped from customer_key where id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new KeyDestroyedException(id);
                SecretKey key = unwrap(id, rs.getBytes(2));
                cache.put(id, rs.getLong(1), key);
                return key;
            }
        }
    }

    private SecretKey unwrap(UUID id, byte[] wrapped) {
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

    private String openV2(SecretKey key, byte[] sealed) {
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

    private String openV1(byte[] sealed) {
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

    private static byte[] derive(byte[] masterKey, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    /** Unwrapped keys by id, least recently used out first, each valid for a time-to-live. */
    private static final class KeyCache {
        private record Entry(SecretKey key, long customerId, long loadedAt) {
        }

        private final int capacity;
        private final long ttlNanos;
        private final LinkedHashMap<UUID, Entry> entries;

        KeyCache(int capacity, long ttlNanos) {
            this.capacity = Math.max(capacity, 0);
            this.ttlNanos = ttlNanos;
            this.entries = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, Entry> eldest) {
                    return size() > KeyCache.this.capacity;
                }
            };
        }

        synchronized SecretKey get(UUID id) {
            Entry e = entries.get(id);
            if (e == null) return null;
            if (System.nanoTime() - e.loadedAt > ttlNanos) {
                entries.remove(id);
                return null;
            }
            return e.key;
        }

        synchronized void put(UUID id, long customerId, SecretKey key) {
            if (capacity > 0) entries.put(id, new Entry(key, customerId, System.nanoTime()));
        }

        synchronized void forgetCustomer(long customerId) {
            entries.values().removeIf(e -> e.customerId == customerId);
        }

        synchronized void clear() {
            entries.clear();
        }
    }
}
