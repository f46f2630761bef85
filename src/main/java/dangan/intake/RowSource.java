package dangan.intake;

import dangan.intake.read.RowHandler;

/**
 * Where the lines of one ingest come from: a spreadsheet, a contracts query, the body of a mail.
 * It feeds a header and then rows to the handler, and returns a short description of the
 * format it read ("csv, GB18030", "contracts query", "mail body").
 */
@FunctionalInterface
public interface RowSource {
    String feed(RowHandler handler) throws Exception;
}
