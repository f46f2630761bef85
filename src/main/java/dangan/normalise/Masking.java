package dangan.normalise;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one ID-number masking rule (D-28): an ID-like value keeps its first 6 and last 4 characters,
 * and anything in a text that looks like an ID number — a run of 14 or more digits, perhaps ending
 * in X, e.g. a resident ID typed into the wrong field — is masked so before it reaches a message,
 * a log line or the audit log.
 */
public final class Masking {

    /** A run of 14 or more digits, the last perhaps an X: resident IDs (15 or 18) and anything close to one. */
    private static final Pattern ID_LIKE = Pattern.compile("(?<![0-9])[0-9]{14,}[0-9Xx]?(?![0-9])");

    private Masking() {
    }

    /** The first 6 and last 4 characters and stars between; a value of 10 characters or fewer is all stars. */
    public static String mask(String value) {
        if (value == null) return null;
        int hidden = value.length() - 10;
        if (hidden <= 0) {
            return "*".repeat(value.length());
        }
        return value.substring(0, 6) + "*".repeat(hidden) + value.substring(value.length() - 4);
    }

    /** The text with every ID-like run {@link #mask masked}; null stays null. */
    public static String maskIdLikeRuns(String text) {
        if (text == null) return null;
        Matcher matcher = ID_LIKE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(mask(matcher.group())));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
