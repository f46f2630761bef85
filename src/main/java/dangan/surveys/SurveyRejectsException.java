package dangan.surveys;

/**
 * Thrown after a file was filed when some of its responses were rejected: the file then moves to
 * failed/ with an .error.txt listing them (the others are in the archive, the ledger says done).
 */
public final class SurveyRejectsException extends RuntimeException {

    private final transient SurveyOutcome outcome;

    public SurveyRejectsException(String fileName, SurveyOutcome outcome) {
        super(fileName + ": " + outcome.rejected() + " of " + outcome.responses() + " responses rejected: "
                + String.join("; ", outcome.rejectReasons(dangan.i18n.Messages.of(dangan.i18n.Language.EN))));
        this.outcome = outcome;
    }

    public SurveyOutcome outcome() {
        return outcome;
    }
}
