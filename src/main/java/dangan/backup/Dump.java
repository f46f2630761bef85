package dangan.backup;

import dangan.i18n.Localized;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.postgresql.copy.CopyManager;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The plaintext inside a backup or keyring file, written and read as one stream (never whole in
 * memory): a manifest header (JSON: format, kind, created_at, Flyway schema version, the tables
 * with their columns, the sequences); then per table its name, its rows as PostgreSQL
 * {@code COPY} text in length-prefixed frames, and its row count; then a trailer (JSON: the row
 * count of every table and the SHA-256 of everything before the trailer). Row counts and the
 * digest are known only once the rows have streamed, so they close the file rather than open it.
 * The stream is compressed (Deflate, fastest level) before it is encrypted: COPY text shrinks to
 * about a third.
 */
final class Dump {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int FRAME_BYTES = 1 << 16;
    private static final int MAX_JSON_BYTES = 64 << 20;

    private Dump() {
    }

    static String copyOut(Catalog.Table t) {
        String cols = Catalog.idents(t.columnNames());
        return t.kind() == 'p'
                ? "COPY (SELECT " + cols + " FROM " + Catalog.ident(t.name()) + ") TO STDOUT"
                : "COPY " + Catalog.ident(t.name()) + " (" + cols + ") TO STDOUT";
    }

    static String copyIn(String table, List<String> columns) {
        return "COPY " + Catalog.ident(table) + " (" + Catalog.idents(columns) + ") FROM STDIN";
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a dump into an (encrypting) stream. */
    static final class Writer {
        private final MessageDigest digest = sha256();
        private final DigestOutputStream digesting;
        private final DataOutputStream out;
        private final Map<String, Long> rows = new LinkedHashMap<>();

        private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        private final DeflaterOutputStream deflating;

        Writer(OutputStream sealed) {
            this.deflating = new DeflaterOutputStream(sealed, deflater, FRAME_BYTES);
            this.digesting = new DigestOutputStream(deflating, digest);
            this.out = new DataOutputStream(new BufferedOutputStream(digesting, FRAME_BYTES));
        }

        void header(ObjectNode header) throws IOException {
            writeJson(out, header);
        }

        long table(CopyManager copy, Catalog.Table t) throws IOException, SQLException {
            out.writeUTF(t.name());
            Frames frames = new Frames(out);
            long n = copy.copyOut(copyOut(t), frames);
            frames.finish();
            out.writeLong(n);
            rows.put(t.name(), n);
            return n;
        }

        Map<String, Long> rows() {
            return rows;
        }

        /** Writes the trailer; returns the SHA-256 (hex) of the stream before it. */
        String finish() throws IOException {
            out.flush();
            String sha = HexFormat.of().formatHex(digest.digest());
            digesting.on(false);
            ObjectNode trailer = JSON.createObjectNode();
            trailer.set("rows", JSON.valueToTree(rows));
            trailer.put("sha256", sha);
            writeJson(out, trailer);
            out.flush();
            deflating.finish();
            deflater.end();
            return sha;
        }
    }

    /** Reads a dump from a (decrypting) stream, verifying what it can as it goes. */
    static final class Reader {
        private final MessageDigest digest = sha256();
        private final DigestInputStream digesting;
        private final DataInputStream in;
        private final String where;
        private final InputStream sealed;
        private final Inflater inflater = new Inflater();

        Reader(InputStream plain, String where) {
            this.sealed = plain;
            this.digesting = new DigestInputStream(new BufferedInputStream(
                    new InflaterInputStream(plain, inflater, FRAME_BYTES), FRAME_BYTES), digest);
            this.in = new DataInputStream(digesting);
            this.where = where;
        }

        JsonNode header() throws IOException {
            return readJson(in, where);
        }

        /** The next table's name, which must be {@code expected} (the header's order). */
        void startTable(String expected) throws IOException {
            String name = in.readUTF();
            if (!name.equals(expected)) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.table-order", "file", where,
                        "expected", expected, "found", name));
            }
        }

        /** The table's rows as COPY text: read it to its end, then call {@link #endTable()}. */
        InputStream rows() {
            return new FramesIn(in);
        }

        long endTable() throws IOException {
            return in.readLong();
        }

        /** Reads the trailer and checks the digest and that nothing follows; returns the trailer. */
        JsonNode finish() throws IOException {
            String sha = HexFormat.of().formatHex(digest.digest());
            digesting.on(false);
            JsonNode trailer = readJson(in, where);
            if (!sha.equals(trailer.path("sha256").asText())) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.checksum", "file", where, "actual", sha,
                        "recorded", trailer.path("sha256").asText()));
            }
            if (in.read() != -1 || inflater.getRemaining() > 0 || sealed.read() != -1) {
                throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.trailing", "file", where));
            }
            inflater.end();
            return trailer;
        }
    }

    private static void writeJson(DataOutputStream out, JsonNode node) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(node);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static JsonNode readJson(DataInputStream in, String where) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_JSON_BYTES) {
            throw new BackupFailure(BackupFailure.BAD_FILE, Localized.of("backup.file.manifest-size", "file", where, "bytes", length));
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return JSON.readTree(bytes);
    }

    /** COPY output cut into frames [length][bytes]…[0]: the reader knows where a table's rows end. */
    private static final class Frames extends OutputStream {
        private final DataOutputStream out;
        private final byte[] buffer = new byte[FRAME_BYTES];
        private int used;

        Frames(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) flushFrame();
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (used == buffer.length) flushFrame();
                int n = Math.min(len, buffer.length - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        private void flushFrame() throws IOException {
            if (used == 0) return;
            out.writeInt(used);
            out.write(buffer, 0, used);
            used = 0;
        }

        void finish() throws IOException {
            flushFrame();
            out.writeInt(0);
        }

        @Override
        public void close() {
            // the dump goes on after this table
        }
    }

    private static final class FramesIn extends InputStream {
        private final DataInputStream in;
        private int left;
        private boolean ended;

        FramesIn(DataInputStream in) {
            this.in = in;
        }

        private boolean more() throws IOException {
            while (left == 0 && !ended) {
                int length = in.readInt();
                if (length < 0 || length > FRAME_BYTES) throw new IOException("a frame of " + length + " bytes: the file is damaged");
                if (length == 0) ended = true;
                left = length;
            }
            return left > 0;
        }

        @Override
        public int read() throws IOException {
            if (!more()) return -1;
            left--;
            int b = in.read();
            if (b < 0) throw new EOFException("the file ends inside a table's rows");
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!more()) return -1;
            int n = in.read(b, off, Math.min(len, left));
            if (n < 0) throw new EOFException("the file ends inside a table's rows");
            left -= n;
            return n;
        }
    }
}
