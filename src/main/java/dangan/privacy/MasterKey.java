package dangan.privacy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The master key that protects sensitive fields (D-28): base64 of 32 bytes from
 * {@code DANGAN_MASTER_KEY}; without it, a key generated once under {@code DANGAN_HOME/data/}
 * readable only by its owner. Never in the repository, never logged.
 */
public final class MasterKey {

    private static final Logger LOG = LoggerFactory.getLogger(MasterKey.class);
    private static final int KEY_BYTES = 32;

    private MasterKey() {
    }

    /** The configured key, or the one kept in {@code keyFile} (created on first use). */
    public static byte[] resolve(String configured, Path keyFile, dangan.i18n.Messages messages) {
        if (configured != null) {
            return decode(configured, "DANGAN_MASTER_KEY");
        }
        try {
            if (Files.exists(keyFile)) {
                return decode(Files.readString(keyFile, StandardCharsets.US_ASCII).trim(), keyFile.toString());
            }
            byte[] key = new byte[KEY_BYTES];
            new SecureRandom().nextBytes(key);
            Files.createDirectories(keyFile.getParent());
            Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            LOG.warn(messages.text("log.privacy.key-generated", "file", keyFile.toString()));
            return key;
        } catch (IOException e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.master-key.file", "file", keyFile.toString(), "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /** Refuses a configured key ({@code dangan.master-key}) that is not base64 of 32 bytes; null (none configured) passes. */
    public static void check(String configured) {
        if (configured != null) decode(configured, "DANGAN_MASTER_KEY");
    }

    private static byte[] decode(String base64, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw dangan.i18n.ConfigurationException.of("config.master-key.base64", "where", where);
        }
        if (key.length != KEY_BYTES) {
            throw dangan.i18n.ConfigurationException.of("config.master-key.length", "where", where, "bytes", String.valueOf(key.length));
        }
        return key;
    }
}
