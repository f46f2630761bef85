package dangan.intake;

/** One problem found in an input line: a reject (the line is not filed) or a warning (filed without the value). */
public record RowIssue(int lineNo, String column, String value, String reason, Severity severity) {

    public enum Severity { REJECT, WARNING }

    public static RowIssue reject(int lineNo, String column, String value, String reason) {
        return new RowIssue(lineNo, column, value, reason, Severity.REJECT);
    }

    public static RowIssue warning(int lineNo, String column, String value, String reason) {
        return new RowIssue(lineNo, column, value, reason, Severity.WARNING);
    }
}
