package dangan.intake.read;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Fails the read when one CSV record grows past a budget of characters, so an unterminated quote in a
 * large file cannot pull the rest of the file into memory as one cell.
 */
final class RecordSizeGuard extends FilterReader {

    /** Thrown (through the CSV parser) when the budget is exceeded. */
    static final class RecordTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        RecordTooLongException(long budget) {
            super("record longer than " + budget + " characters");
        }
    }

    private final long budget;
    private long sinceRecordStart;

    RecordSizeGuard(Reader in, long budget) {
        super(in);
        this.budget = budget;
    }

    /** Resets the count; call before each record. Read-ahead buffering makes the count slightly generous. */
    void startRecord() {
        sinceRecordStart = 0;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            count(1);
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) throws RecordTooLongException {
        sinceRecordStart += n;
        if (sinceRecordStart > budget) {
            throw new RecordTooLongException(budget);
        }
    }
}
