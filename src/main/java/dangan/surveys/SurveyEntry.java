package dangan.surveys;

import java.util.List;

/**
 * One response of a payload as read: its number (1 = first), its position in the payload
 * ({@code $[2]}), its raw JSON, and either the checked response or the reasons it was rejected;
 * warnings (an invalid mobile next to a valid archive number…) do not reject it.
 */
public record SurveyEntry(int number, String position, String raw, SurveyResponse response,
                          List<SurveyProblem> rejects, List<SurveyProblem> warnings) {

    public boolean rejected() {
        return response == null;
    }

}
