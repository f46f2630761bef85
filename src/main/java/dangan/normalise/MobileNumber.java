package dangan.normalise;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/** A mainland China mobile number as 11 digits, e.g. 13800138000. */
public record MobileNumber(String digits) {

    private static final Pattern EXCEL_DECIMAL = Pattern.compile("(\\d+)\\.0+");
    private static final Pattern EXCEL_SCIENTIFIC = Pattern.compile("\\d(\\.\\d+)?[eE]\\+?\\d+");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s\\-.()\\u2010-\\u2015]");

    /** Rejects anything that is not exactly 11 digits starting with 13–19. */
    public MobileNumber {
        if (!valid(digits)) {
            throw InvalidValueException.of("normalise.mobile.invalid", "value", Quote.of(String.valueOf(digits)));
        }
    }

    /** Parses a typed or Excel-mangled mobile number; null for blank input. */
    public static MobileNumber parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) {
            return null;
        }
        if (valid(cleaned)) {
            return new MobileNumber(cleaned); // the common cell: already 11 digits (no regular expression for it)
        }
        String digits = withoutCountryCode(withoutSeparators(undoExcelNumber(cleaned)));
        if (!valid(digits)) {
            throw InvalidValueException.of("normalise.mobile.invalid", "value", Quote.of(cleaned));
        }
        return new MobileNumber(digits);
    }

    /** Whether the text is a mobile number as filed: 11 digits starting with 13–19 (as the pattern 1[3-9]\d{9}). */
    private static boolean valid(String text) {
        if (text == null || text.length() != 11 || text.charAt(0) != '1' || text.charAt(1) < '3' || text.charAt(1) > '9') {
            return false;
        }
        for (int i = 2; i < 11; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    /** Returns the 11 digits. */
    @Override
    public String toString() {
        return digits;
    }

    private static String undoExcelNumber(String text) {
        var decimal = EXCEL_DECIMAL.matcher(text);
        if (decimal.matches()) {
            return decimal.group(1);
        }
        if (EXCEL_SCIENTIFIC.matcher(text).matches()) {
            BigDecimal number = new BigDecimal(text).stripTrailingZeros();
            return number.scale() <= 0 ? number.toPlainString() : text;
        }
        return text;
    }

    private static String withoutSeparators(String text) {
        return SEPARATORS.matcher(text).replaceAll("");
    }

    private static String withoutCountryCode(String text) {
        if (text.startsWith("+86")) {
            return text.substring(3);
        }
        if (text.startsWith("0086")) {
            return text.substring(4);
        }
        if (text.length() == 13 && text.startsWith("86")) {
            return text.substring(2);
        }
        return text;
    }
}
