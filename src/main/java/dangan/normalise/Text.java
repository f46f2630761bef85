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
        if (raw == null) {
            return null;
        }
        String visible = INVISIBLE.matcher(raw).replaceAll("");
        String halfWidth = Normalizer.normalize(visible, Normalizer.Form.NFKC);
        String singleSpaced = WHITESPACE_RUN.matcher(halfWidth).replaceAll(" ").strip();
        return singleSpaced.isEmpty() ? null : singleSpaced;
    }
}
