package dangan.privacy;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.crypto.SecretKey;
import javax.sql.DataSource;
import java.time.Duration;
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
 *
 * <p>Its parts: {@link SealedValueCodec} (the byte formats, sealing and opening), {@link KeyStore} (the rows of
 * {@code customer_key}), {@link KeyCache} (unwrapped keys in memory) and {@link BlindIndex}; this class is the
 * one door to them.
 */
public final class SensitiveFields {

    /** What a reader shows for a value whose key was destroyed. */
    public static final String DESTROYED = "[destroyed]";

    private final SealedValueCodec codec;
    private final BlindIndex index;
    private final Jdbi jdbi;
    private final KeyCache cache;

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
        this.codec = new SealedValueCodec(masterKey);
        this.index = new BlindIndex(masterKey);
        this.jdbi = dataSource == null ? null : Db.jdbi(dataSource);
        this.cache = new KeyCache(cacheSize, cacheTtl.toNanos());
    }

    /**
     * As configured: the master key ({@code dangan.master-key}, else {@code DANGAN_HOME/data/master.key}),
     * keys in the database, cache {@code dangan.keys.cache-size} keys for {@code dangan.keys.cache-seconds}.
     */
    public static SensitiveFields configured(dangan.config.Settings settings, DataSource dataSource) {
        java.nio.file.Path keyFile = settings.home().resolve("data").resolve("master.key");
        String configured = settings.get("dangan.master-key");
        java.util.Optional<UUID> sealedKey = Db.jdbi(dataSource).withHandle(h -> h.createQuery("select id from customer_key limit 1")
                .map((rs, ctx) -> rs.getObject("id", UUID.class)).findOne());
        if (configured == null && !java.nio.file.Files.exists(keyFile) && sealedKey.isPresent()) {
            // a new key would open nothing the archive holds: say so instead of generating one
            throw dangan.i18n.ConfigurationException.of("config.master-key.none", "file", keyFile.toString());
        }
        SensitiveFields fields = new SensitiveFields(MasterKey.resolve(configured, keyFile, dangan.i18n.Messages.of(settings)),
                dataSource, settings.getInt("dangan.keys.cache-size", 10_000),
                Duration.ofSeconds(settings.getInt("dangan.keys.cache-seconds", 30)));
        sealedKey.ifPresent(id -> fields.checkOpens(id, configured != null ? "DANGAN_MASTER_KEY" : keyFile.toString()));
        return fields;
    }

    /** Refuses to start with a master key that does not open the archive's keys (new data would be sealed apart). */
    private void checkOpens(UUID id, String where) {
        try {
            jdbi.useHandle(h -> load(h, id));
        } catch (KeyDestroyedException gone) {
            // destroyed between the two reads: nothing to try the key on
        } catch (IllegalStateException e) {
            throw dangan.i18n.ConfigurationException.of("config.master-key.wrong", "where", where);
        }
    }

    // ---- keys -------------------------------------------------------------------------------

    /**
     * A fresh data key, not yet stored: the bulk path seals a staged line's values with it and
     * stages {@link DataKey#id()} and {@link DataKey#wrapped()} with the line; the merge files the
     * key under the customer the line belongs to.
     */
    public DataKey newKey() {
        return codec.newKey();
    }

    /**
     * The customer's current key (the newest row of {@code customer_key}), or a new one stored for
     * the customer in the caller's transaction.
     */
    public DataKey keyOf(Handle h, long customerId) {
        return KeyStore.current(h, customerId).map(stored -> {
            DataKey key = new DataKey(stored.id(), codec.unwrap(stored.id(), stored.wrapped()), stored.wrapped());
            cache.put(stored.id(), customerId, key.key());
            return key;
        }).orElseGet(() -> {
            DataKey key = newKey();
            store(h, customerId, key);
            return key;
        });
    }

    /** Files a key under its customer (in the caller's transaction). */
    public void store(Handle h, long customerId, DataKey key) {
        KeyStore.insert(h, customerId, key);
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
        return plaintext == null ? null : codec.sealV2(key, plaintext);
    }

    /** Seals a value of a known customer under the customer's key (created in the caller's transaction if it has none). */
    public byte[] encryptFor(Handle h, long customerId, String plaintext) {
        if (plaintext == null) return null;
        return encrypt(keyOf(h, customerId), plaintext);
    }

    /**
     * Seals text that belongs to no customer (version 1, the master-derived service key): only the raw
     * text of a rejected input line, which was never filed on an archive. Anything filed for a
     * customer goes through {@link #encrypt(DataKey, String)} or {@link #encryptFor}.
     */
    public byte[] encrypt(String plaintext) {
        return plaintext == null ? null : codec.sealV1(plaintext);
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
        if (!SealedValueCodec.isV2(sealed)) return codec.openV1(sealed);
        UUID id = SealedValueCodec.keyId(sealed);
        SecretKey key = cache.get(id);
        if (key == null) {
            if (jdbi == null) {
                throw new IllegalStateException("cannot open a value sealed with customer key " + id
                        + ": this SensitiveFields has no database to look the key up in");
            }
            key = jdbi.withHandle(h -> load(h, id));
        }
        return codec.openV2(key, sealed);
    }

    /** As {@link #decrypt(byte[])}, looking keys up in the caller's transaction (sees keys of its own open transaction). */
    public String decrypt(Handle h, byte[] sealed) {
        if (sealed == null) return null;
        if (!SealedValueCodec.isV2(sealed)) return codec.openV1(sealed);
        UUID id = SealedValueCodec.keyId(sealed);
        SecretKey key = cache.get(id);
        if (key == null) key = load(h, id);
        return codec.openV2(key, sealed);
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
        return SealedValueCodec.keyId(sealed);
    }

    /** Keyed hash for equality matching; equal inputs give equal outputs under one master key. */
    public byte[] blindIndex(String value) {
        return index.of(value);
    }

    /**
     * A key of {@link #newKey()} back from its id and wrapped form — for keys kept outside
     * {@code customer_key} (the sealed originals of dropped files); throws when the master key is wrong or
     * the wrapped form altered.
     */
    public DataKey unwrapped(UUID id, byte[] wrapped) {
        return new DataKey(id, codec.unwrap(id, wrapped), wrapped);
    }

    private SecretKey load(Handle h, UUID id) {
        KeyStore.Stored stored = KeyStore.find(h, id).orElseThrow(() -> new KeyDestroyedException(id));
        SecretKey key = codec.unwrap(id, stored.wrapped());
        cache.put(id, stored.customerId(), key);
        return key;
    }
}
