package dangan.intake;

import java.nio.charset.StandardCharsets;

/**
 * A dropped file's name is data, written by whoever dropped it: {@link #shown} is how it appears
 * in a log line, an {@code .error.txt}, a report or the ledger — line breaks, other control
 * characters, the line and paragraph separators and backslashes (a path part on Windows) escaped
 * the way Java writes them, so a name can never forge a log line or pass for a path.
 */
public final class FileName {

    /** The longest name, in UTF-8 bytes, that can be filed as {@code <HHmmss>-<name>.error.txt} (255 - 7 - 10). */
    public static final int MAX_BYTES = 255 - "HHmmss-".length() - ".error.txt".length();

    private FileName() {
    }

    /** The name with every character that could break a line or pass for a path escaped ({@code \n}, {@code \u001b}, {@code \\}). */
    public static String shown(String name) {
        if (name == null) return "";
        StringBuilder shown = new StringBuilder(name.length() + 8);
        name.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> shown.append("\\n");
                case '\r' -> shown.append("\\r");
                case '\t' -> shown.append("\\t");
                case '\\' -> shown.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || c == 0x85
                            || Character.getType(c) == Character.FORMAT) {
                        shown.append(String.format("\\u%04x", c));
                    } else {
                        shown.appendCodePoint(c);
                    }
                }
            }
        });
        return shown.toString();
    }

    /** True when the name is too long to be filed under done/ or failed/ with its time in front. */
    public static boolean tooLong(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES;
    }

    /** The name cut (at a character boundary) to at most {@code maxBytes} UTF-8 bytes, "…" marking the cut. */
    public static String shortened(String name, int maxBytes) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= maxBytes) return name;
        StringBuilder cut = new StringBuilder();
        int bytes = "…".getBytes(StandardCharsets.UTF_8).length;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            int size = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) break;
            cut.appendCodePoint(c);
            bytes += size;
            i += Character.charCount(c);
        }
        return cut.append('…').toString();
    }
}
