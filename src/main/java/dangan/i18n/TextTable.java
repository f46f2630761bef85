package dangan.i18n;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table printed for people at a terminal: column headings from the message bundles, cells padded to
 * the column's width as a terminal shows it — a Chinese character takes two columns (ICU's East Asian
 * width), so 类别 lines up with {@code tier}. An empty cell is shown as {@code -}.
 */
public final class TextTable {

    private static final String GAP = "  ";

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    private TextTable(String[] headings) {
        this.columns = headings.length;
        rows.add(headings);
    }

    /** A table whose headings are the texts of these keys. */
    public static TextTable of(Messages messages, String... headingKeys) {
        return new TextTable(Arrays.stream(headingKeys).map(messages::text).toArray(String[]::new));
    }

    /** One row; {@code null} cells show as {@code -}. */
    public TextTable row(Object... cells) {
        if (cells.length != columns) throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns + " columns");
        rows.add(Arrays.stream(cells).map(c -> c == null || c.toString().isEmpty() ? "-" : c.toString()).toArray(String[]::new));
        return this;
    }

    public void print(PrintStream out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) widths[c] = Math.max(widths[c], width(row[c]));
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) line.append(" ".repeat(widths[c] - width(row[c]))).append(GAP);
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** How many columns a terminal gives the text: two for wide and full-width characters, one for the others. */
    static int width(String text) {
        return text.codePoints().map(c -> {
            int w = UCharacter.getIntPropertyValue(c, UProperty.EAST_ASIAN_WIDTH);
            return w == UCharacter.EastAsianWidth.WIDE || w == UCharacter.EastAsianWidth.FULLWIDTH ? 2 : 1;
        }).sum();
    }
}
