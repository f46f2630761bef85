package dangan.intake.read;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.DateUtil;

/**
 * Formats numeric XLSX cells for import rather than for display.
 *
 * <ul>
 *   <li>date formats: {@code yyyy-MM-dd}, or {@code yyyy-MM-dd HH:mm} when there is a time of day,
 *       or {@code HH:mm} for a time without a date (value below 1);</li>
 *   <li>zero-padding formats such as {@code 000000}: as displayed (keeps leading zeros);</li>
 *   <li>every other number: plain decimal, 15 significant digits like Excel, no exponent, no trailing
 *       {@code .0} (so the mobile number 13800138000 stays {@code 13800138000}).</li>
 * </ul>
 */
final class IsoDataFormatter extends DataFormatter {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");
    private static final Pattern ZERO_PADDED = Pattern.compile("0{2,}");
    private static final MathContext EXCEL_PRECISION = new MathContext(15);

    private final boolean date1904;

    /** @param date1904 whether the workbook counts dates from 1904 (old Mac Excel) */
    IsoDataFormatter(boolean date1904) {
        super(Locale.ROOT);
        this.date1904 = date1904;
    }

    @Override
    public String formatRawCellContents(double value, int formatIndex, String formatString, boolean use1904Windowing) {
        if (formatString != null && DateUtil.isADateFormat(formatIndex, formatString) && DateUtil.isValidExcelDate(value)) {
            LocalDateTime when = DateUtil.getLocalDateTime(value, date1904 || use1904Windowing, true);
            if (value < 1) {
                return TIME.format(when);
            }
            boolean midnight = when.getHour() == 0 && when.getMinute() == 0 && when.getSecond() == 0;
            return (midnight ? DATE : DATE_TIME).format(when);
        }
        if (formatString != null && ZERO_PADDED.matcher(formatString).matches()) {
            return super.formatRawCellContents(value, formatIndex, formatString, use1904Windowing);
        }
        return plain(value);
    }

    /** The number as a plain decimal string: {@code 13800138000}, {@code 12.5}, {@code -3}. */
    static String plain(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(value).round(EXCEL_PRECISION).stripTrailingZeros().toPlainString();
    }
}
