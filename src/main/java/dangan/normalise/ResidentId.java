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
            throw InvalidValueException.of("normalise.id.shape", "value", Quote.masked(String.valueOf(value)));
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
            throw InvalidValueException.of("normalise.id.old", "value", Quote.masked(candidate));
        }
        if (EXCEL_SCIENTIFIC.matcher(candidate).matches()) {
            throw InvalidValueException.of("normalise.id.excel", "value", Quote.masked(candidate));
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
            throw InvalidValueException.of("normalise.id.check-digit", "value", Quote.mask(value));
        }
    }

    private static void requirePlausibleBirthDate(String value) {
        LocalDate birth;
        try {
            birth = embeddedBirthDate(value);
        } catch (DateTimeException e) {
            throw InvalidValueException.of("normalise.id.birth-unreal", "value", Quote.mask(value));
        }
        if (birth.isBefore(EARLIEST_BIRTH)) {
            throw InvalidValueException.of("normalise.id.birth-early", "value", Quote.mask(value));
        }
        if (birth.isAfter(LocalDate.now(CHINA))) {
            throw InvalidValueException.of("normalise.id.birth-future", "value", Quote.mask(value));
        }
    }

    private static LocalDate embeddedBirthDate(String value) {
        return LocalDate.of(
                Integer.parseInt(value.substring(6, 10)),
                Integer.parseInt(value.substring(10, 12)),
                Integer.parseInt(value.substring(12, 14)));
    }
}
