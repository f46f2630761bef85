package dangan.intake;

import dangan.privacy.SensitiveFields;
import org.postgresql.PGConnection;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;

/**
 * Rejects and warnings of one file, spooled to a temporary file while the rows stream into
 * staging (one connection cannot run two COPYs at once), then copied into {@code intake_issue}
 * in the same transaction. The raw line of a rejected row is kept, encrypted.
 * <p>
 * The spool's name is removed as soon as it is open: its pages live only as long as this open file, so a process
 * killed mid-file leaves no spool behind (killed services had left dozens under the temporary folder, each with the
 * shown values of a file's rejected lines).
 */
final class IssueSpool implements AutoCloseable {

    private static final String COPY =
            "COPY intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity, raw_enc) FROM STDIN";

    private final long ingestId;
    private final SensitiveFields sensitive;
    private final FileChannel spool;
    private final BufferedWriter out;
    private int rejectedLines;
    private int warnings;

    IssueSpool(long ingestId, SensitiveFields sensitive) throws IOException {
        this.ingestId = ingestId;
        this.sensitive = sensitive;
        Path name = Files.createTempFile("dangan-issues-", ".copy"); // owner-only
        try {
            this.spool = FileChannel.open(name, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } finally {
            Files.delete(name);
        }
        this.out = new BufferedWriter(Channels.newWriter(spool, StandardCharsets.UTF_8));
    }

    /** Records the issues of one line; the raw cells (encrypted) go with its first reject or held value. */
    void add(List<RowIssue> issues, List<String> rawCells) {
        boolean rejectedLine = false;
        boolean rawKept = false;
        for (RowIssue issue : issues) {
            boolean reject = issue.severity() == RowIssue.Severity.REJECT;
            boolean keepsRaw = reject || issue.severity() == RowIssue.Severity.HELD;
            String raw = keepsRaw && !rawKept ? String.join(",", rawCells) : null;
            rawKept |= keepsRaw;
            rejectedLine |= reject;
            if (!reject) warnings++;
            write(issue, raw);
        }
        if (rejectedLine) rejectedLines++;
    }

    int rejectedLines() {
        return rejectedLines;
    }

    int warnings() {
        return warnings;
    }

    /** Copies the spooled issues into the database on the ingest's connection. */
    void copyInto(Connection connection) throws IOException, SQLException {
        out.flush();
        spool.position(0);
        BufferedReader in = new BufferedReader(Channels.newReader(spool, StandardCharsets.UTF_8));
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, in);
    }

    private void write(RowIssue issue, String raw) {
        StringBuilder line = new StringBuilder();
        line.append(ingestId).append('\t').append(issue.lineNo()).append('\t');
        text(line, issue.column()).append('\t');
        text(line, issue.value()).append('\t');
        text(line, issue.reason()).append('\t');
        line.append(issue.severity() == RowIssue.Severity.REJECT ? "reject" : "warning").append('\t');
        if (raw == null) {
            line.append("\\N");
        } else {
            line.append("\\\\x").append(HexFormat.of().formatHex(sensitive.encrypt(raw)));
        }
        line.append('\n');
        try {
            out.append(line);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot spool intake issues to the temporary folder", e);
        }
    }

    private static StringBuilder text(StringBuilder line, String value) {
        if (value == null) return line.append("\\N");
        return line.append(value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"));
    }

    @Override
    public void close() throws IOException {
        out.close(); // and the spool with it
    }
}
