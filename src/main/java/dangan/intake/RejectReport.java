package dangan.intake;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reject report of one file ({@code outbox/rejects/<file>.rejects.csv}): UTF-8 with BOM so
 * Excel opens it, one row per issue — line, outcome, column, value, reason — in line order.
 * Values that a spreadsheet would run as a formula are quoted with a leading apostrophe.
 */
public final class RejectReport {

    private static final String ISSUES = """
            select line_no, severity, column_name, value_shown, reason from intake_issue
            where ingest_id = ? order by line_no, id""";

    private RejectReport() {
    }

    /** Writes the report (header only when the file had no issue) and returns its path. */
    public static Path write(Connection connection, long ingestId, Path folder, String fileName)
            throws IOException, SQLException {
        Files.createDirectories(folder);
        Path target = folder.resolve(fileName + ".rejects.csv");
        Path part = folder.resolve("." + fileName + ".rejects.csv.part");
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false); // the driver streams with a fetch size only inside a transaction
        try (Writer out = Files.newBufferedWriter(part, StandardCharsets.UTF_8);
             PreparedStatement ps = connection.prepareStatement(ISSUES)) {
            out.write('\uFEFF');
            ps.setFetchSize(5_000);
            ps.setLong(1, ingestId);
            try (ResultSet rs = ps.executeQuery();
                 CSVPrinter csv = CSVFormat.EXCEL.builder().setHeader("line", "outcome", "column", "value", "reason").get().print(out)) {
                while (rs.next()) {
                    csv.printRecord(rs.getInt(1), "reject".equals(rs.getString(2)) ? "rejected" : "warning",
                            spreadsheetSafe(rs.getString(3)), spreadsheetSafe(rs.getString(4)), spreadsheetSafe(rs.getString(5)));
                }
            }
        } finally {
            connection.commit();
            connection.setAutoCommit(autoCommit);
        }
        return Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
