package dangan.intake.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The kind of a file, judged from its first bytes (never from its name). */
enum FileKind {
    /** Zero bytes. */
    EMPTY,
    /** A zip archive ({@code PK\x03\x04}), presumably XLSX. */
    ZIP,
    /** An OLE2 compound document ({@code D0 CF 11 E0}): legacy .xls, or a password-protected .xlsx. */
    OLE2,
    /** Text, presumably CSV. */
    TEXT,
    /** Anything else that looks binary (PDF, image, ...). */
    BINARY;

    /** How many leading bytes are inspected. */
    static final int SNIFF_BYTES = 8192;

    /** Sniffs the kind of {@code file} from its first {@value #SNIFF_BYTES} bytes. */
    static FileKind of(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(SNIFF_BYTES);
        }
        return of(head);
    }

    /** Classifies the given leading bytes of a file. */
    static FileKind of(byte[] head) {
        if (head.length == 0) {
            return EMPTY;
        }
        if (startsWith(head, 0x50, 0x4B, 0x03, 0x04)) {
            return ZIP;
        }
        if (startsWith(head, 0xD0, 0xCF, 0x11, 0xE0)) {
            return OLE2;
        }
        if (startsWith(head, 0xFF, 0xFE) || startsWith(head, 0xFE, 0xFF)) {
            return TEXT; // UTF-16 with byte order mark: NUL bytes are expected
        }
        if (startsWith(head, '%', 'P', 'D', 'F', '-') || startsWith(head, 0xFF, 0xD8, 0xFF)
                || startsWith(head, 0x89, 'P', 'N', 'G') || startsWith(head, 'G', 'I', 'F', '8')) {
            return BINARY;
        }
        for (byte b : head) {
            if (b == 0) {
                return BINARY;
            }
        }
        return TEXT;
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
