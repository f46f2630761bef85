package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every ID below was checked with the GB 11643 algorithm (see {@link #checkChar}); the first test asserts that,
 * so a wrong fixture fails loudly instead of silently testing the wrong thing.
 */
@Tag("fast")
class ResidentIdTest {

    /** Valid: female, born 1949-12-31, check char X. */
    private static final String FEMALE_1949 = "11010519491231002X";
    /** Valid: male, born 1949-12-31. */
    private static final String MALE_1949 = "110105194912310011";
    /** Valid: male, born 1990-01-01. */
    private static final String MALE_1990 = "440304199001011233";
    /** Valid: female, born 1990-01-01. */
    private static final String FEMALE_1990 = "440304199001011241";
    /** Valid: born on the leap day 2000-02-29. */
    private static final String LEAP_DAY_2000 = "310115200002290021";
    /** Valid: born on the earliest accepted day, 1900-01-01. */
    private static final String FIRST_DAY_1900 = "11010519000101001X";
    /** Wrong check digit (should be X). */
    private static final String WRONG_CHECK_DIGIT = "110105194912310029";
    /** Correct check digit but 1999-02-29 does not exist. */
    private static final String NO_SUCH_DAY = "310115199902290021";
    /** Correct check digit but born 2099-12-31. */
    private static final String FUTURE_BIRTH = "110105209912310010";
    /** Correct check digit but born 1899-12-31. */
    private static final String BEFORE_1900 = "110105189912310015";

    /** Independent reimplementation of the GB 11643 check character, used only to verify the fixtures. */
    private static char checkChar(String first17) {
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += Character.digit(first17.charAt(i), 10) * weights[i];
        }
        return "10X98765432".charAt(sum % 11);
    }

    @Test
    void fixturesHaveTheCheckDigitsTheyClaim() {
        for (String id : new String[] {FEMALE_1949, MALE_1949, MALE_1990, FEMALE_1990, LEAP_DAY_2000,
                FIRST_DAY_1900, NO_SUCH_DAY, FUTURE_BIRTH, BEFORE_1900}) {
            assertThat(checkChar(id)).as(id).isEqualTo(id.charAt(17));
        }
        assertThat(checkChar(WRONG_CHECK_DIGIT)).isNotEqualTo(WRONG_CHECK_DIGIT.charAt(17));
    }

    @Test
    void parsesAValidFemaleIdWithCheckCharX() {
        ResidentId id = ResidentId.parse(FEMALE_1949);

        assertThat(id.value()).isEqualTo(FEMALE_1949);
        assertThat(id.birthDate()).isEqualTo(LocalDate.of(1949, 12, 31));
        assertThat(id.gender()).isEqualTo(Gender.F);
    }

    @Test
    void derivesGenderFromTheSeventeenthDigit() {
        assertThat(ResidentId.parse(MALE_1949).gender()).isEqualTo(Gender.M);
        assertThat(ResidentId.parse(MALE_1990).gender()).isEqualTo(Gender.M);
        assertThat(ResidentId.parse(FEMALE_1990).gender()).isEqualTo(Gender.F);
    }

    @Test
    void acceptsLeapDayAndFirstDayOf1900() {
        assertThat(ResidentId.parse(LEAP_DAY_2000).birthDate()).isEqualTo(LocalDate.of(2000, 2, 29));
        assertThat(ResidentId.parse(FIRST_DAY_1900).birthDate()).isEqualTo(LocalDate.of(1900, 1, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"11010519491231002x", " 11010519491231002X ", "110105 19491231 002X",
        "１１０１０５１９４９１２３１００２Ｘ", "１１０１０５１９４９１２３１００２ｘ", "\uFEFF11010519491231002X"})
    void normalisesCaseWidthAndSpacing(String raw) {
        assertThat(ResidentId.parse(raw).value()).isEqualTo(FEMALE_1949);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "\u3000"})
    void blankIsNull(String raw) {
        assertThat(ResidentId.parse(raw)).isNull();
    }

    @Test
    void masksEverythingButTheFirstSixAndLastFour() {
        ResidentId id = ResidentId.parse(FEMALE_1949);

        assertThat(id.masked()).isEqualTo("110105********002X");
        assertThat(id).hasToString("110105********002X");
        assertThat(String.valueOf(id)).doesNotContain("19491231");
    }

    @Test
    void rejectsAWrongCheckDigitWithoutRevealingTheNumber() {
        assertThatThrownBy(() -> ResidentId.parse(WRONG_CHECK_DIGIT))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("the check digit does not match")
                .hasMessageContaining("110105********0029")
                .hasMessageNotContaining(WRONG_CHECK_DIGIT);
    }

    @Test
    void rejectsAnImpossibleBirthDate() {
        assertThatThrownBy(() -> ResidentId.parse(NO_SUCH_DAY))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("not a real date")
                .hasMessageNotContaining(NO_SUCH_DAY);
    }

    @Test
    void rejectsABirthDateInTheFuture() {
        assertThatThrownBy(() -> ResidentId.parse(FUTURE_BIRTH))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("in the future")
                .hasMessageNotContaining(FUTURE_BIRTH);
    }

    @Test
    void rejectsABirthDateBefore1900() {
        assertThatThrownBy(() -> ResidentId.parse(BEFORE_1900))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("before 1900")
                .hasMessageNotContaining(BEFORE_1900);
    }

    @Test
    void rejectsOld15DigitNumbersSayingOnly18AreAccepted() {
        assertThatThrownBy(() -> ResidentId.parse("110105491231002"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("only 18-character numbers are accepted")
                .hasMessageContaining("110105*****1002")
                .hasMessageNotContaining("110105491231002");
    }

    @Test
    void explainsIdsThatExcelTurnedIntoNumbers() {
        assertThatThrownBy(() -> ResidentId.parse("1.10105E+17"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("format the column as text");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1101051949123100", "11010519491231002", "11010519491231002XX", "1101051949123100Y",
        "X10105194912310021", "11010519491231002Y", "zhang san", "11010519491231-002X"})
    void rejectsWrongShapesWithoutRevealingDigits(String raw) {
        assertThatThrownBy(() -> ResidentId.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("expected 18 characters, 17 digits then a digit or X")
                .hasMessageNotContaining("19491231");
    }

    @Test
    void neverEchoesAMistypedNumberInClear() {
        assertThatThrownBy(() -> ResidentId.parse("1101051949A231002X"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("'110105********002X' is not a resident ID number")
                .hasMessageNotContaining("1949A231");
    }

    @Test
    void constructorValidatesToo() {
        assertThat(new ResidentId(FEMALE_1949).gender()).isEqualTo(Gender.F);
        assertThatThrownBy(() -> new ResidentId(WRONG_CHECK_DIGIT)).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new ResidentId("11010519491231002x")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new ResidentId(null)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void equalityIsByValue() {
        assertThat(ResidentId.parse("11010519491231002x")).isEqualTo(ResidentId.parse(FEMALE_1949));
        assertThat(ResidentId.parse(MALE_1949)).isNotEqualTo(ResidentId.parse(FEMALE_1949));
    }
}
