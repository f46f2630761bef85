package dangan.intake.read;

import java.util.ArrayList;
import java.util.List;

/** Small helpers for cell text. */
final class Cells {

    private Cells() {
    }

    /** True for whitespace as a person sees it: Java whitespace, no-break and ideographic spaces, BOM/ZWSP. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF' || c == '\u200B';
    }

    /** The text without leading and trailing {@linkplain #isSpace spaces}. */
    static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    /** True when the text is empty or only {@linkplain #isSpace spaces}. */
    static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True when every cell is blank. */
    static boolean allBlank(List<String> cells) {
        for (String cell : cells) {
            if (!isBlank(cell)) {
                return false;
            }
        }
        return true;
    }

    /** The cells, each {@linkplain #strip stripped}, as an unmodifiable list. */
    static List<String> stripAll(List<String> cells) {
        List<String> stripped = new ArrayList<>(cells.size());
        for (String cell : cells) {
            stripped.add(strip(cell));
        }
        return List.copyOf(stripped);
    }
}
