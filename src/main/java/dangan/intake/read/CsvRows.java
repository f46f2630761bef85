package dangan.intake.read;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Streams the records of a CSV file (RFC 4180 quoting) with Apache Commons CSV. */
final class CsvRows {

    private final ReadLimits limits;

    CsvRows(ReadLimits limits) {
        this.limits = limits;
    }

    /** Reads {@code file} into {@code sink}; the encoding is detected first, then the delimiter. */
    ReadSummary read(Path file, RowSink sink) throws IOException, UnreadableFileException {
        TextEncoding encoding = TextEncoding.detect(file);
        char delimiter;
        try (Reader text = encoding.open(file)) {
            delimiter = Delimiters.sniff(text);
        }
        CSVFormat format = CSVFormat.RFC4180.builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(false) // blank lines are counted, and keep line numbers simple
                .setTrailingData(true)      // "ab"c  -> ab"c instead of an error
                .setLenientEof(false)       // an unterminated quote at the end is an error
                .get();
        long budget = (long) limits.maxColumns() * (limits.maxCellChars() + 3L) + 8192;
        try (RecordSizeGuard guard = new RecordSizeGuard(encoding.open(file), budget);
             CSVParser parser = format.parse(guard)) {
            Iterator<CSVRecord> records = parser.iterator();
            while (true) {
                // the lexer has consumed the previous record's line break: the next record starts on the next line
                long lineNo = parser.getCurrentLineNumber() + 1;
                guard.startRecord();
                CSVRecord record;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    record = records.next();
                } catch (UncheckedIOException e) {
                    throw malformed(lineNo, e.getCause() != null ? e.getCause() : e, budget);
                }
                sink.accept(toInt(lineNo), checked(lineNo, record.values()));
            }
        }
        if (!sink.headerSeen()) {
            throw new UnreadableFileException("no header row: the CSV file contains only blank lines;"
                    + " put the column names in the first line");
        }
        return new ReadSummary("csv", encoding.label(), sink.blankRows(), null);
    }

    private List<String> checked(long lineNo, String[] values) throws UnreadableFileException {
        int width = values.length;
        if (width > limits.maxColumns()) {
            for (int i = limits.maxColumns(); i < width; i++) {
                if (!Cells.isBlank(values[i])) {
                    throw new UnreadableFileException("line " + lineNo + ", column " + (i + 1)
                            + ": more than " + limits.maxColumns() + " columns; remove the extra columns"
                            + " or check that the delimiter is right");
                }
            }
            values = Arrays.copyOf(values, limits.maxColumns()); // only empty cells beyond the limit
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i].length() > limits.maxCellChars()) {
                throw new UnreadableFileException("line " + lineNo + ", column " + (i + 1) + ": cell has "
                        + values[i].length() + " characters, more than the limit of " + limits.maxCellChars()
                        + "; shorten it (or check for a missing closing quote)");
            }
        }
        return List.of(values);
    }

    private static UnreadableFileException malformed(long lineNo, Throwable cause, long budget) {
        if (cause instanceof RecordSizeGuard.RecordTooLongException) {
            return new UnreadableFileException("line " + lineNo + ": the record starting here runs on for more than "
                    + budget + " characters, probably because of a quote (\") that is never closed;"
                    + " fix the quotes or export the file again", cause);
        }
        String detail = String.valueOf(cause.getMessage());
        if (detail.contains("EOF reached before encapsulated token finished")) {
            return new UnreadableFileException("line " + lineNo + ": a quoted cell starting on this line is never"
                    + " closed (unterminated quote at the end of the file); fix the quotes or export the file again",
                    cause);
        }
        return new UnreadableFileException("malformed CSV in the record starting at line " + lineNo + ": " + detail
                + "; fix the file or export it again as CSV (UTF-8)", cause);
    }

    private static int toInt(long lineNo) {
        return lineNo > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) lineNo;
    }
}
