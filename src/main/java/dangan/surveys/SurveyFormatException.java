package dangan.surveys;

/**
 * A payload that cannot be read as survey responses at all (not JSON, not an object or array,
 * empty): nothing of it is filed. Carries the line and column when the JSON parser knows them.
 */
public final class SurveyFormatException extends RuntimeException {

    private final Integer line;
    private final Integer column;

    public SurveyFormatException(String message, Integer line, Integer column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    public SurveyFormatException(String message) {
        this(message, null, null);
    }

    public Integer line() {
        return line;
    }

    public Integer column() {
        return column;
    }
}
