package dangan.intake;

import dangan.normalise.Gender;
import dangan.normalise.LunarDate;
import dangan.normalise.ResidentId;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;

/**
 * The canonical record one input line becomes, normalised and ready to be filed. {@code held}: the values of
 * columns whose heading looks sensitive (by heading), never filed as they are but sealed into the review queue.
 */
public record CustomerRow(
        int lineNo,
        String name,
        Gender gender,
        LocalDate birthDate,
        LunarDate lunarBirthday,
        String mobile,
        String email,
        String address,
        ResidentId residentId,
        String employer,
        String jobTitle,
        String nationality,
        Map<String, String> extra,
        Visit visit,
        String roomPreferences,
        String diningPreferences,
        String otherPreferences,
        String allergies,
        String health,
        LocalDate anniversary,
        String companions,
        String referrer,
        Consent consent,
        Map<String, String> held) {

    /**
     * What the line says about consent (PIPL, D-28), per purpose: true given, false refused or
     * withdrawn, null not said; with the version of the wording the customer saw. Null when the line
     * says nothing about consent.
     */
    public record Consent(Boolean service, Boolean contact, Boolean marketing, Boolean sensitive, String version) {
        public boolean isEmpty() {
            return service == null && contact == null && marketing == null && sensitive == null;
        }
    }

    /** D-2: one visit, stay, meal or contract (D-10) the line reports, if any. */
    public record Visit(LocalDate date, BigDecimal amount, String service, String payment, String staff, String branch,
                        String contractNo, String place) {
        public boolean isEmpty() {
            return date == null && amount == null && service == null && contractNo == null;
        }
    }
}
