package dangan.surveys;

import dangan.i18n.Localized;

/**
 * A payload that cannot be read as survey responses at all (not JSON, not an object or array,
 * empty): nothing of it is filed. Carries the line and column when the JSON parser knows them; the
 * reason comes from the bundles (area {@code surveys}), {@link #getMessage()} is its English text.
 */
public final class SurveyFormatException extends RuntimeException implements Localized.Carrier {

    private final transient Localized reason;
    private final Integer line;
    private final Integer column;

    SurveyFormatException(Localized reason, Integer line, Integer column) {
        super(reason.english());
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    static SurveyFormatException of(String key, Object... namesAndValues) {
        return new SurveyFormatException(Localized.of(key, namesAndValues), null, null);
    }

    @Override
    public Localized reason() {
        return reason;
    }

    public Integer line() {
        return line;
    }

    public Integer column() {
        return column;
    }
}
