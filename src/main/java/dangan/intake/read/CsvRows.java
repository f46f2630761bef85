package dangan.intake.read;

import dangan.i18n.Localized;

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
            throw UnreadableFileException.of("read.csv.no-header");
        }
        return new ReadSummary("csv", encoding.label(), sink.blankRows(), null);
    }

    private List<String> checked(long lineNo, String[] values) throws UnreadableFileException {
        int width = values.length;
        if (width > limits.maxColumns()) {
            for (int i = limits.maxColumns(); i < width; i++) {
                if (!Cells.isBlank(values[i])) {
                    throw UnreadableFileException.of("read.csv.too-many-columns", "line", lineNo, "column", i + 1,
                            "max", limits.maxColumns());
                }
            }
            values = Arrays.copyOf(values, limits.maxColumns()); // only empty cells beyond the limit
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i].length() > limits.maxCellChars()) {
                throw UnreadableFileException.of("read.csv.cell-too-long", "line", lineNo, "column", i + 1,
                        "chars", values[i].length(), "max", limits.maxCellChars());
            }
        }
        return List.of(values);
    }

    private static UnreadableFileException malformed(long lineNo, Throwable cause, long budget) {
        if (cause instanceof RecordSizeGuard.RecordTooLongException) {
            return new UnreadableFileException(Localized.of("read.csv.record-too-long", "line", lineNo, "max", budget), cause);
        }
        String detail = String.valueOf(cause.getMessage());
        if (detail.contains("EOF reached before encapsulated token finished")) {
            return new UnreadableFileException(Localized.of("read.csv.unterminated-quote", "line", lineNo), cause);
        }
        // the parser's own words stay in the log (the cause): the reason names the line only
        return new UnreadableFileException(Localized.of("read.csv.malformed", "line", lineNo), cause);
    }

    private static int toInt(long lineNo) {
        return lineNo > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) lineNo;
    }
}
