package dangan.intake.read;

/**
 * What {@link SpreadsheetReader#read} found out about a file it read successfully.
 *
 * @param format           {@code "csv"} or {@code "xlsx"}
 * @param encoding         {@code "UTF-8"}, {@code "UTF-8 (BOM)"}, {@code "UTF-16LE (BOM)"}, {@code "UTF-16BE (BOM)"},
 *                         {@code "GB18030"} for CSV; {@code "xlsx"} for XLSX
 * @param blankRowsSkipped number of entirely blank rows that were not passed to the handler
 * @param sheetName        name of the sheet that was read; {@code null} for CSV
 */
public record ReadSummary(String format, String encoding, int blankRowsSkipped, String sheetName) {
}
