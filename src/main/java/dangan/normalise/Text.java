package dangan.normalise;

import java.text.Normalizer;
import java.util.regex.Pattern;

/** Cleans raw cell text before any parsing: width folding, invisible characters and whitespace. */
public final class Text {

    private static final Pattern INVISIBLE = Pattern.compile("[\\u200B\\u200C\\u200D\\u2060\\uFEFF]");
    private static final Pattern WHITESPACE_RUN = Pattern.compile("[\\s\\p{Z}]+");

    private Text() {
    }

    /** Returns the NFKC-normalised, trimmed, single-spaced text, or null when nothing visible remains. */
    public static String clean(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null; // an empty cell, the most common of all (without the pattern matchers below)
        }
        if (alreadyClean(raw)) {
            return raw;
        }
        String visible = INVISIBLE.matcher(raw).replaceAll("");
        String halfWidth = Normalizer.normalize(visible, Normalizer.Form.NFKC);
        String singleSpaced = WHITESPACE_RUN.matcher(halfWidth).replaceAll(" ").strip();
        return singleSpaced.isEmpty() ? null : singleSpaced;
    }

    /**
     * Fast path for the common cell: printable ASCII and CJK ideographs (both unchanged by NFKC),
     * no whitespace at the ends, no run of spaces, nothing invisible.
     */
    private static boolean alreadyClean(String raw) {
        int length = raw.length();
        if (length == 0 || raw.charAt(0) == ' ' || raw.charAt(length - 1) == ' ') {
            return false;
        }
        char previous = 0;
        for (int i = 0; i < length; i++) {
            char c = raw.charAt(i);
            boolean plain = (c > ' ' && c < 0x7F) || (c == ' ' && previous != ' ') || (c >= 0x4E00 && c <= 0x9FFF);
            if (!plain) {
                return false;
            }
            previous = c;
        }
        return true;
    }
}
