package dangan.normalise;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the calendar dates people type or Excel exports; never guesses two-digit years or day/month order. */
public final class DateValue {

    private static final LocalDate EXCEL_EPOCH = LocalDate.of(1899, 12, 30);
    private static final long EXCEL_MAX_SERIAL = 2_958_465L;
    private static final Pattern EXCEL_SERIAL = Pattern.compile("(\\d{1,5})(\\.\\d+)?");
    private static final Pattern COMPACT = Pattern.compile("(\\d{4})(\\d{2})(\\d{2})");
    private static final Pattern SEPARATED = Pattern.compile(
            "(\\d{4})([-/.])(\\d{1,2})\\2(\\d{1,2})(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?)?");
    private static final Pattern CHINESE = Pattern.compile("(\\d{4}) ?年 ?(\\d{1,2}) ?月 ?(\\d{1,2}) ?[日号]");
    private static final Pattern SHORT_YEAR_OR_DAY_FIRST = Pattern.compile("\\d{1,2}([-/.])\\d{1,2}\\1\\d{1,4}");

    private DateValue() {
    }

    /** Parses a date (a trailing time of day is dropped); null for blank input. */
    public static LocalDate parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) {
            return null;
        }
        if (isoDate(cleaned)) { // the common cell, 2024-03-08: read without a regular expression
            return dateOf(cleaned, cleaned.substring(0, 4), cleaned.substring(5, 7), cleaned.substring(8, 10));
        }
        Matcher m;
        if ((m = EXCEL_SERIAL.matcher(cleaned)).matches()) {
            return fromExcelSerial(cleaned, Long.parseLong(m.group(1)));
        }
        if ((m = COMPACT.matcher(cleaned)).matches()) {
            return dateOf(cleaned, m.group(1), m.group(2), m.group(3));
        }
        if ((m = SEPARATED.matcher(cleaned)).matches()) {
            return dateOf(cleaned, m.group(1), m.group(3), m.group(4));
        }
        if ((m = CHINESE.matcher(cleaned)).matches()) {
            return dateOf(cleaned, m.group(1), m.group(2), m.group(3));
        }
        if (SHORT_YEAR_OR_DAY_FIRST.matcher(cleaned).matches()) {
            throw InvalidValueException.of("normalise.date.ambiguous", "value", Quote.of(cleaned));
        }
        throw InvalidValueException.of("normalise.date.invalid", "value", Quote.of(cleaned));
    }

    /** yyyy-mm-dd exactly (what the SEPARATED pattern reads with two-digit month and day). */
    private static boolean isoDate(String text) {
        if (text.length() != 10 || text.charAt(4) != '-' || text.charAt(7) != '-') return false;
        for (int i = 0; i < 10; i++) {
            char c = text.charAt(i);
            if (i != 4 && i != 7 && (c < '0' || c > '9')) return false;
        }
        return true;
    }

    private static LocalDate fromExcelSerial(String cleaned, long serial) {
        if (serial < 1 || serial > EXCEL_MAX_SERIAL) {
            throw InvalidValueException.of("normalise.date.invalid", "value", Quote.of(cleaned));
        }
        return EXCEL_EPOCH.plusDays(serial);
    }

    private static LocalDate dateOf(String cleaned, String year, String month, String day) {
        try {
            return LocalDate.of(Integer.parseInt(year), Integer.parseInt(month), Integer.parseInt(day));
        } catch (DateTimeException e) {
            throw InvalidValueException.of("normalise.date.unreal", "value", Quote.of(cleaned));
        }
    }
}
