package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class MobileNumberTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "13800138000", " 13800138000 ", "138 0013 8000", "138-0013-8000", "138.0013.8000",
        "(138)00138000", "+86 138 0013 8000", "+86-13800138000", "(+86)13800138000", "008613800138000",
        "0086 138 0013 8000", "8613800138000", "13800138000.0", "1.3800138E10", "1.3800138E+10",
        "１３８００１３８０００", "＋８６ １３８－００１３－８０００", "\uFEFF13800138000\u200B"})
    void acceptsCommonWaysOfWritingTheSameNumber(String raw) {
        assertThat(MobileNumber.parse(raw)).isEqualTo(new MobileNumber("13800138000"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "\u3000"})
    void blankIsNull(String raw) {
        assertThat(MobileNumber.parse(raw)).isNull();
    }

    @Test
    void toStringIsTheDigits() {
        assertThat(MobileNumber.parse("199 1234 5678")).hasToString("19912345678");
        assertThat(MobileNumber.parse("199 1234 5678").digits()).isEqualTo("19912345678");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "12345", "1380013800", "138001380001", "12800138000", "23800138000", "010-12345678",
        "+1 415 555 0100", "+8513800138000", "861380013800", "abc", "138O0138000", "13800138000.5",
        "1.3800138E5", "8613800138000 ext 1"})
    void rejectsWhatIsNotAMainlandMobile(String raw) {
        assertThatThrownBy(() -> MobileNumber.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("is not a mainland mobile number");
    }

    @Test
    void rejectionNamesTheValueAndWhatIsExpected() {
        assertThatThrownBy(() -> MobileNumber.parse("12345"))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.reason()).isEqualTo(
                        "'12345' is not a mainland mobile number: expected 11 digits starting with 1"
                                + " (a +86 prefix, spaces and dashes are fine)"));
    }

    @Test
    void resident_id_typed_into_the_phone_column_is_masked_in_the_message() {
        assertThatThrownBy(() -> MobileNumber.parse("11010519491231002X"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("'110105********002X'")
                .hasMessageNotContaining("11010519491231002X");
    }

    @Test
    void constructorRejectsNonCanonicalDigits() {
        assertThatThrownBy(() -> new MobileNumber("+8613800138000")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new MobileNumber(null)).isInstanceOf(InvalidValueException.class);
    }
}
