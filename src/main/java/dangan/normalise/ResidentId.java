package dangan.normalise;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An 18-character PRC resident identity number (身份证号), validated per GB 11643.
 * {@link #toString()} is masked so the number is never logged in clear; {@link #value()} is the full number.
 */
public record ResidentId(String value) {

    private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
    private static final LocalDate EARLIEST_BIRTH = LocalDate.of(1900, 1, 1);
    private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String CHECK_CHARS = "10X98765432";
    private static final Pattern SHAPE = Pattern.compile("\\d{17}[\\dX]");
    private static final Pattern OLD_SHAPE = Pattern.compile("\\d{15}");
    private static final Pattern EXCEL_SCIENTIFIC = Pattern.compile("\\d(\\.\\d+)?E\\+?\\d+");

    /** Rejects anything that is not a valid 18-character number with a real, plausible birth date; messages show it masked. */
    public ResidentId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidValueException(Quote.masked(String.valueOf(value))
                    + " is not a resident ID number: expected 18 characters, 17 digits then a digit or X");
        }
        requireCheckDigitMatches(value);
        requirePlausibleBirthDate(value);
    }

    /** Parses a typed resident ID (spaces allowed, lowercase x accepted); null for blank input. */
    public static ResidentId parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) {
            return null;
        }
        String candidate = cleaned.replace(" ", "").toUpperCase(Locale.ROOT);
        if (OLD_SHAPE.matcher(candidate).matches()) {
            throw new InvalidValueException(Quote.masked(candidate)
                    + " is an old 15-digit resident ID: only 18-character numbers are accepted, please ask for the current ID card");
        }
        if (EXCEL_SCIENTIFIC.matcher(candidate).matches()) {
            throw new InvalidValueException(Quote.masked(candidate)
                    + " is not a resident ID number: the spreadsheet turned it into a number and lost digits;"
                    + " format the column as text and type the 18 characters again");
        }
        return new ResidentId(candidate);
    }

    /** The birth date embedded at positions 7–14. */
    public LocalDate birthDate() {
        return embeddedBirthDate(value);
    }

    /** The gender encoded by the 17th digit: odd is male, even is female. */
    public Gender gender() {
        return (value.charAt(16) - '0') % 2 == 1 ? Gender.M : Gender.F;
    }

    /** The first 6 and last 4 characters with 8 stars between, e.g. 110105********002X. */
    public String masked() {
        return Quote.mask(value);
    }

    /** Returns {@link #masked()} so the full number never reaches logs. */
    @Override
    public String toString() {
        return masked();
    }

    private static void requireCheckDigitMatches(String value) {
        int sum = 0;
        for (int i = 0; i < WEIGHTS.length; i++) {
            sum += (value.charAt(i) - '0') * WEIGHTS[i];
        }
        if (CHECK_CHARS.charAt(sum % 11) != value.charAt(17)) {
            throw new InvalidValueException("resident ID " + Quote.mask(value)
                    + " is not valid: the check digit does not match; please compare it with the ID card");
        }
    }

    private static void requirePlausibleBirthDate(String value) {
        LocalDate birth;
        try {
            birth = embeddedBirthDate(value);
        } catch (DateTimeException e) {
            throw new InvalidValueException("resident ID " + Quote.mask(value)
                    + " is not valid: its birth date (characters 7–14, yyyyMMdd) is not a real date");
        }
        if (birth.isBefore(EARLIEST_BIRTH)) {
            throw new InvalidValueException("resident ID " + Quote.mask(value)
                    + " is not valid: its birth date is before 1900");
        }
        if (birth.isAfter(LocalDate.now(CHINA))) {
            throw new InvalidValueException("resident ID " + Quote.mask(value)
                    + " is not valid: its birth date is in the future");
        }
    }

    private static LocalDate embeddedBirthDate(String value) {
        return LocalDate.of(
                Integer.parseInt(value.substring(6, 10)),
                Integer.parseInt(value.substring(10, 12)),
                Integer.parseInt(value.substring(12, 14)));
    }
}
