package dangan.normalise;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/** Parses amounts of money in yuan, e.g. ¥1,200.50 or 1200元, to a BigDecimal with 2 decimal places. */
public final class Money {

    private static final Pattern CURRENCY_PREFIX = Pattern.compile("^(?:¥|RMB|CNY|人民币)\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern CURRENCY_SUFFIX = Pattern.compile("\\s*(?:元|RMB|CNY)$", Pattern.CASE_INSENSITIVE);
    private static final Pattern PLAIN = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern GROUPED = Pattern.compile("\\d{1,3}(,\\d{3})+(\\.\\d+)?");
    private static final Pattern NEGATIVE = Pattern.compile("[-\u2212]\\s*(?:¥|RMB|CNY|人民币)?\\s*[\\d,]+(\\.\\d+)?", Pattern.CASE_INSENSITIVE);

    private Money() {
    }

    /** Parses a non-negative amount with at most 2 decimal places; null for blank input. */
    public static BigDecimal parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) {
            return null;
        }
        String number = cleaned;
        if (!plainNumber(cleaned)) { // the common cell (128, 99.50) needs none of this
            number = withoutCurrency(cleaned);
            if (NEGATIVE.matcher(number).matches()) {
                throw InvalidValueException.of("normalise.money.negative", "value", Quote.of(cleaned));
            }
            if (!PLAIN.matcher(number).matches() && !GROUPED.matcher(number).matches()) {
                throw InvalidValueException.of("normalise.money.invalid", "value", Quote.of(cleaned));
            }
        }
        try {
            return new BigDecimal(number.replace(",", "")).setScale(2, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw InvalidValueException.of("normalise.money.decimals", "value", Quote.of(cleaned));
        }
    }

    /** Digits with at most one decimal point between digits: no currency to strip, neither negative nor grouped. */
    private static boolean plainNumber(String text) {
        int point = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.' && point < 0 && i > 0 && i < text.length() - 1) {
                point = i;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static String withoutCurrency(String text) {
        String withoutPrefix = CURRENCY_PREFIX.matcher(text).replaceFirst("");
        return CURRENCY_SUFFIX.matcher(withoutPrefix).replaceFirst("");
    }
}
