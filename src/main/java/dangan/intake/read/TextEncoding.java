package dangan.intake.read;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The character encoding of a text file: a byte order mark wins, then strict UTF-8, else GB18030.
 *
 * <p>GB18030 is a superset of GBK/GB2312, which is what Excel writes for "CSV" on Chinese Windows.
 *
 * @param charset   the charset to decode with
 * @param label     the name reported in {@link ReadSummary#encoding()}
 * @param bomLength number of leading bytes (the byte order mark) to skip
 */
record TextEncoding(Charset charset, String label, int bomLength) {

    static final TextEncoding UTF_8 = new TextEncoding(StandardCharsets.UTF_8, "UTF-8", 0);
    static final TextEncoding UTF_8_BOM = new TextEncoding(StandardCharsets.UTF_8, "UTF-8 (BOM)", 3);
    static final TextEncoding UTF_16LE_BOM = new TextEncoding(StandardCharsets.UTF_16LE, "UTF-16LE (BOM)", 2);
    static final TextEncoding UTF_16BE_BOM = new TextEncoding(StandardCharsets.UTF_16BE, "UTF-16BE (BOM)", 2);
    static final TextEncoding GB18030 = new TextEncoding(Charset.forName("GB18030"), "GB18030", 0);

    /** Detects the encoding of {@code file}, streaming through it once if there is no byte order mark. */
    static TextEncoding detect(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(3);
        }
        if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            return UTF_8_BOM;
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE) {
            return UTF_16LE_BOM;
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF) {
            return UTF_16BE_BOM;
        }
        return isStrictUtf8(file) ? UTF_8 : GB18030;
    }

    /** True when the whole file decodes as UTF-8 without a single malformed sequence. */
    static boolean isStrictUtf8(Path file) throws IOException {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        char[] buffer = new char[64 * 1024];
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), strict)) {
            while (reader.read(buffer) >= 0) {
                // only checking
            }
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Opens {@code file} as characters in this encoding, with the byte order mark skipped. */
    Reader open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        try {
            in.skipNBytes(bomLength);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new InputStreamReader(in, charset);
    }
}
