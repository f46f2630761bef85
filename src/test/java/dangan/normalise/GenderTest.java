package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class GenderTest {

    @ParameterizedTest
    @ValueSource(strings = {"男", "男性", "先生", "M", "m", "male", "Male", "MALE", " 男 ", "Ｍ", "ｍａｌｅ"})
    void recognisesMale(String raw) {
        assertThat(Gender.parse(raw)).isEqualTo(Gender.M);
    }

    @ParameterizedTest
    @ValueSource(strings = {"女", "女性", "女士", "小姐", "F", "f", "female", "Female", "FEMALE", "\u3000女\u3000", "Ｆ"})
    void recognisesFemale(String raw) {
        assertThat(Gender.parse(raw)).isEqualTo(Gender.F);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void blankIsNull(String raw) {
        assertThat(Gender.parse(raw)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2", "0", "男女", "man", "x", "未知", "男 性别"})
    void rejectsCodesAndUnknownWords(String raw) {
        assertThatThrownBy(() -> Gender.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("'" + raw + "' is not a gender: expected 男 or 女");
    }
}
