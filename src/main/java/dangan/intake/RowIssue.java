package dangan.intake;

/** One problem found in an input line: a reject (the line is not filed) or a warning (filed without the value). */
public record RowIssue(int lineNo, String column, String value, String reason, Severity severity) {

    /**
     * REJECT: the line is not filed. WARNING: filed without the value. HELD: a warning whose value is held
     * back rather than filed in clear (a column that looks sensitive): recorded as a warning, the line kept
     * encrypted with it so nothing is lost.
     */
    public enum Severity { REJECT, WARNING, HELD }

    public static RowIssue reject(int lineNo, String column, String value, String reason) {
        return new RowIssue(lineNo, column, value, reason, Severity.REJECT);
    }

    public static RowIssue warning(int lineNo, String column, String value, String reason) {
        return new RowIssue(lineNo, column, value, reason, Severity.WARNING);
    }

    public static RowIssue held(int lineNo, String column, String reason) {
        return new RowIssue(lineNo, column, "***", reason, Severity.HELD);
    }
}
