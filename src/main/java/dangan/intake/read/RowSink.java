package dangan.intake.read;

import java.util.List;

/** Routes rows to a {@link RowHandler}: skips and counts blank rows, sends the first other row as the header. */
final class RowSink {

    private final RowHandler handler;
    private boolean headerSeen;
    private int headerWidth;
    private int blankRows;

    RowSink(RowHandler handler) {
        this.handler = handler;
    }

    /** Offers one row; {@code cells} must not be modified by the caller afterwards. */
    void accept(int lineNo, List<String> cells) {
        if (Cells.allBlank(cells)) {
            blankRows++;
        } else if (!headerSeen) {
            headerSeen = true;
            headerWidth = cells.size();
            handler.header(Cells.stripAll(cells));
        } else {
            handler.row(lineNo, cells);
        }
    }

    /** Counts rows that were skipped without being offered (gaps between XLSX rows). */
    void skippedBlank(int count) {
        blankRows += count;
    }

    boolean headerSeen() {
        return headerSeen;
    }

    /** Number of header cells, 0 before the header. */
    int headerWidth() {
        return headerWidth;
    }

    int blankRows() {
        return blankRows;
    }
}
