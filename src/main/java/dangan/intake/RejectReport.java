package dangan.intake;

import dangan.i18n.Messages;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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
            where ingest_id = ? order by line_no, id""";

    /** The columns, each headed {@code ingest.rejects.column.<name>}. */
    private static final List<String> HEADINGS = List.of("line", "outcome", "column", "value", "reason");

    private RejectReport() {
    }

    /** Writes the report (header only when the file had no issue) and returns its path. */
    public static Path write(Connection connection, long ingestId, Path folder, String fileName, Messages messages)
            throws IOException, SQLException {
        List<String> header = HEADINGS.stream().map(h -> messages.text("ingest.rejects.column." + h)).toList();
        String rejected = messages.text("ingest.outcome.reject");
        String warning = messages.text("ingest.outcome.warning");
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false); // the driver streams with a fetch size only inside a transaction
        try (PreparedStatement ps = connection.prepareStatement(ISSUES)) {
            ps.setFetchSize(5_000);
            ps.setLong(1, ingestId);
            return writeCsv(folder, fileName + ".rejects.csv", header, csv -> {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        csv.printRecord(rs.getInt(1), "reject".equals(rs.getString(2)) ? rejected : warning,
                                spreadsheetSafe(rs.getString(3)), spreadsheetSafe(rs.getString(4)), spreadsheetSafe(rs.getString(5)));
                    }
                }
            });
        } finally {
            connection.commit();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** The records of a report, printed under its header. */
    @FunctionalInterface
    public interface Body {
        void print(CSVPrinter csv) throws IOException, SQLException;
    }

    /**
     * Writes a report as the reject, check and revert reports are: UTF-8 with BOM so Excel opens it,
     * {@code header} then {@code body}, into a hidden {@code .part} moved over {@code folder/name} when whole.
     */
    public static Path writeCsv(Path folder, String name, List<String> header, Body body) throws IOException, SQLException {
        Files.createDirectories(folder);
        Path part = folder.resolve("." + name + ".part");
        Files.deleteIfExists(part); // what a killed writer of this report left: one file is handled by one instance
        return write(part, folder.resolve(name), header, body);
    }

    /**
     * As {@link #writeCsv}, for a file that several instances may write at once (a feed's counts): each
     * writes a part of its own, so none moves away or truncates another's.
     */
    public static Path writeSharedCsv(Path folder, String name, List<String> header, Body body) throws IOException, SQLException {
        Files.createDirectories(folder);
        return write(folder.resolve("." + name + "." + java.util.UUID.randomUUID() + ".part"), folder.resolve(name), header, body);
    }

    private static Path write(Path part, Path target, List<String> header, Body body) throws IOException, SQLException {
        ownerOnly(part);
        try (Writer out = Files.newBufferedWriter(part, StandardCharsets.UTF_8, StandardOpenOption.WRITE)) {
            out.write('\uFEFF');
            try (CSVPrinter csv = CSVFormat.EXCEL.builder().setHeader(header.toArray(String[]::new)).get().print(out)) {
                body.print(csv);
            }
        } catch (IOException | SQLException | RuntimeException e) {
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
    static List<RowIssue> issues(Connection connection, long ingestId) throws SQLException {
        List<RowIssue> issues = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(ISSUES)) {
            ps.setLong(1, ingestId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    issues.add(new RowIssue(rs.getInt(1), rs.getString(3), rs.getString(4), rs.getString(5),
                            "reject".equals(rs.getString(2)) ? RowIssue.Severity.REJECT : RowIssue.Severity.WARNING));
                }
            }
        }
        return issues;
    }

    /** Neutralises spreadsheet formula injection: =, +, -, @, tab and CR at the start are quoted. */
    public static String spreadsheetSafe(String value) {
        if (value == null || value.isEmpty()) return value;
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }
}
