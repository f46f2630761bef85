package dangan.backup;

import dangan.i18n.Localized;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The encryption of backup and keyring files: Tink's streaming AEAD (AES-256-GCM, per-file keys by
 * HKDF-SHA-256 with a random salt, 1 MiB segments each with its own tag; truncation, reordering and
 * any altered byte are detected). Its key is derived from the master key for the purpose
 * {@code "dangan backup v1"}. A file starts with a plain 13-byte preamble (what it is, format
 * version, segment size) that is bound to the ciphertext as associated data.
 */
final class Sealing {

    enum Kind {
        BACKUP("DGBACKUP"), KEYRING("DGKEYRNG");

        private final byte[] magic;

        Kind(String magic) {
            this.magic = magic.getBytes(StandardCharsets.US_ASCII);
        }
    }

    static final byte FORMAT = 1;
    private static final String PURPOSE = "dangan backup v1";
    static final int SEGMENT_BYTES = 1 << 20;
    private static final int MIN_SEGMENT = 1 << 10;
    private static final int MAX_SEGMENT = 1 << 26;

    private final byte[] key;
    private final int segmentBytes;

    Sealing(byte[] masterKey) {
        this(masterKey, SEGMENT_BYTES);
    }

    /** With another segment size (tests use small ones to reach the second segment of a small archive). */
    Sealing(byte[] masterKey, int segmentBytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(masterKey, "HmacSHA256"));
            this.key = mac.doFinal(PURPOSE.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is unavailable: " + e.getMessage(), e);
        }
        this.segmentBytes = segmentBytes;
    }

    private AesGcmHkdfStreaming aead(int segment) throws IOException {
        try {
            return new AesGcmHkdfStreaming(key, "HmacSha256", 32, segment, 0);
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM-HKDF streaming with " + segment + "-byte segments is unavailable: " + e.getMessage(), e);
        }
    }

    /** Writes the preamble and returns the stream that encrypts what is written to it (close it to finish). */
    OutputStream encrypt(OutputStream file, Kind kind) throws IOException {
        byte[] preamble = preamble(kind, segmentBytes);
        file.write(preamble);
        try {
            return aead(segmentBytes).newEncryptingStream(file, preamble);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot start encrypting: " + e.getMessage(), e);
        }
    }

    /** Checks the preamble and returns the stream of the decrypted content; reading it fails on any alteration. */
    InputStream decrypt(InputStream file, Kind kind, Path where) throws IOException {
        byte[] found = file.readNBytes(kind.magic.length + 5);
        int segment = found.length == kind.magic.length + 5 ? ByteBuffer.wrap(found, kind.magic.length + 1, 4).getInt() : -1;
        byte[] expected = preamble(kind, segment);
        if (!Arrays.equals(found, expected) || segment < MIN_SEGMENT || segment > MAX_SEGMENT) {
            String what = kind == Kind.BACKUP ? "backup" : "keyring";
            if (found.length == expected.length && Arrays.equals(Arrays.copyOf(found, 8), kind.magic) && found[8] != FORMAT) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.kind-format", "file", where.toString(), "kind", what,
                        "found", found[8], "format", FORMAT));
            }
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.not-a-kind", "file", where.toString(), "kind", what));
        }
        try {
            return aead(segment).newDecryptingStream(file, expected);
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot start decrypting: " + e.getMessage(), e);
        }
    }

    private static byte[] preamble(Kind kind, int segment) {
        return ByteBuffer.allocate(kind.magic.length + 5).put(kind.magic).put(FORMAT).putInt(segment).array();
    }
}
