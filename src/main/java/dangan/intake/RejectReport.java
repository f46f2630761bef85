package dangan.intake;

import dangan.i18n.Messages;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.StatementContext;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The reject report of one file ({@code outbox/rejects/<file>.rejects.csv}): UTF-8 with BOM so
 * Excel opens it, one row per issue — line, outcome, column, value, reason — in line order, headings and
 * outcome words in the configured language ({@code 行, 结果, 列, 值, 原因}; {@code 拒收}, {@code 警告}).
 * Values that a spreadsheet would run as a formula are quoted with a leading apostrophe.
 */
public final class RejectReport {

    private static final String ISSUES = """
            select line_no, severity, column_name, value_shown, reason from intake_issue
            where ingest_id = :ingest order by line_no, id""";

    /** The columns, each headed {@code ingest.rejects.column.<name>}. */
    private static final List<String> HEADINGS = List.of("line", "outcome", "column", "value", "reason");

    private RejectReport() {
    }

    /** Writes the report (header only when the file had no issue) and returns its path. */
    public static Path write(Handle h, long ingestId, Path folder, String fileName, Messages messages) throws IOException {
        List<String> header = HEADINGS.stream().map(heading -> messages.text("ingest.rejects.column." + heading)).toList();
        String rejected = messages.text("ingest.outcome.reject");
        String warning = messages.text("ingest.outcome.warning");
        // the driver streams with a fetch size only inside a transaction (joined when the caller is in one)
        return h.inTransaction(t -> writeCsv(folder, fileName + ".rejects.csv", header, csv -> {
            try (ResultIterator<RowIssue> issues = t.createQuery(ISSUES).setFetchSize(5_000).bind("ingest", ingestId)
                    .map(RejectReport::issue).iterator()) {
                while (issues.hasNext()) {
                    RowIssue i = issues.next();
                    csv.printRecord(i.lineNo(), i.severity() == RowIssue.Severity.REJECT ? rejected : warning,
                            spreadsheetSafe(i.column()), spreadsheetSafe(i.value()), spreadsheetSafe(i.reason()));
                }
            }
        }));
    }

    /** The records of a report, printed under its header. */
    @FunctionalInterface
    public interface Body {
        void print(CSVPrinter csv) throws IOException;
    }

    /**
     * Writes a report as the reject, check and revert reports are: UTF-8 with BOM so Excel opens it,
     * {@code header} then {@code body}, into a hidden {@code .part} moved over {@code folder/name} when whole.
     */
    public static Path writeCsv(Path folder, String name, List<String> header, Body body) throws IOException {
        Files.createDirectories(folder);
        Path part = folder.resolve("." + name + ".part");
        Files.deleteIfExists(part); // what a killed writer of this report left: one file is handled by one instance
        return write(part, folder.resolve(name), header, body);
    }

    /**
     * As {@link #writeCsv}, for a file that several instances may write at once (a feed's counts): each
     * writes a part of its own, so none moves away or truncates another's.
     */
    public static Path writeSharedCsv(Path folder, String name, List<String> header, Body body) throws IOException {
        Files.createDirectories(folder);
        return write(folder.resolve("." + name + "." + java.util.UUID.randomUUID() + ".part"), folder.resolve(name), header, body);
    }

    private static Path write(Path part, Path target, List<String> header, Body body) throws IOException {
        ownerOnly(part);
        try (Writer out = Files.newBufferedWriter(part, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
            out.write('\uFEFF');
            try (CSVPrinter csv = CSVFormat.EXCEL.builder().setHeader(header.toArray(String[]::new)).get().print(out)) {
                body.print(csv);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part); // a full disk or a lost database leaves no partial report behind
            throw e;
        }
        return Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Creates the file readable and writable by the service's account alone: the reports hold the values
     * of customers' lines (mobiles, addresses). Where the file system has no POSIX permissions, a plain file.
     */
    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException noPosix) {
            Files.createFile(file);
        }
    }

    /** The issues of an ingest, in line order. */
    static List<RowIssue> issues(Handle h, long ingestId) {
        return h.createQuery(ISSUES).bind("ingest", ingestId).map(RejectReport::issue).list();
    }

    private static RowIssue issue(ResultSet rs, StatementContext ctx) throws SQLException {
        return new RowIssue(rs.getInt("line_no"), rs.getString("column_name"), rs.getString("value_shown"), rs.getString("reason"),
                "reject".equals(rs.getString("severity")) ? RowIssue.Severity.REJECT : RowIssue.Severity.WARNING);
    }

    /** Neutralises spreadsheet formula injection: =, +, -, @, tab and CR at the start are quoted. */
    public static String spreadsheetSafe(String value) {
        if (value == null || value.isEmpty()) return value;
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }
}
