package dangan.intake.read;

import java.util.List;

/**
 * Receives the rows of a spreadsheet, in file order, from {@link SpreadsheetReader}.
 *
 * <p>Implementations may throw {@link RuntimeException}s; they propagate out of
 * {@link SpreadsheetReader#read} unchanged.
 */
public interface RowHandler {

    /** Called once with the first non-blank row; each cell is stripped of surrounding whitespace. */
    void header(List<String> columns);

    /**
     * Called for every following row that is not entirely blank.
     *
     * @param lineNo CSV: physical line where the record starts; XLSX: Excel's 1-based row number
     * @param cells  the cells as read (not stripped), {@code ""} for empty cells
     */
    void row(int lineNo, List<String> cells);
}
