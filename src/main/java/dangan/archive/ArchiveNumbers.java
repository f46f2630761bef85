package dangan.archive;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;

/**
 * D-14 archive numbers: year + month + serial ({@code 202309001} is the first archive opened in
 * September 2023), at least three serial digits. The rule lives in the database functions
 * {@code archive_serial_reserve} and {@code archive_no} (migration V1), which the merge uses in
 * bulk; this class is their Java face for single allocations.
 */
public final class ArchiveNumbers {

    private static final DateTimeFormatter PERIOD = DateTimeFormatter.ofPattern("yyyyMM");

    private ArchiveNumbers() {
    }

    /** The period key of a month: {@code 202309}. */
    public static String period(YearMonth month) {
        return month.format(PERIOD);
    }

    /** Reserves one archive number in the month; the counter row stays locked until the transaction ends. */
    public static String next(Connection connection, YearMonth month) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("select archive_no(?, archive_serial_reserve(?, 1))")) {
            ps.setString(1, period(month));
            ps.setString(2, period(month));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
