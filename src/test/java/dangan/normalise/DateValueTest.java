package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class DateValueTest {

    private static final LocalDate SEPT_1_2023 = LocalDate.of(2023, 9, 1);

    @ParameterizedTest
    @ValueSource(strings = {"2023-09-01", "2023-9-1", "2023/9/1", "2023/09/01", "2023.9.1", "2023年9月1日",
        "2023年09月01日", "2023 年 9 月 1 日", "2023年9月1号", "20230901", "2023-09-01 10:30", "2023-09-01T10:30:00",
        "2023/9/1 8:05:59", "2023-09-01 10:30:00.123", "45170", "45170.0", "45170.4375", "２０２３－０９－０１",
        " 2023-09-01 "})
    void acceptsCommonForms(String raw) {
        assertThat(DateValue.parse(raw)).isEqualTo(SEPT_1_2023);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "\uFEFF"})
    void blankIsNull(String raw) {
        assertThat(DateValue.parse(raw)).isNull();
    }

    @Test
    void excelSerialsUseThe1899_12_30Epoch() {
        assertThat(DateValue.parse("1")).isEqualTo(LocalDate.of(1899, 12, 31));
        assertThat(DateValue.parse("61")).isEqualTo(LocalDate.of(1900, 3, 1));
        assertThat(DateValue.parse("99999")).isEqualTo(LocalDate.of(2173, 10, 13));
    }

    @Test
    void acceptsLeapDayOnlyInLeapYears() {
        assertThat(DateValue.parse("2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThatThrownBy(() -> DateValue.parse("2023-02-29")).isInstanceOf(InvalidValueException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-02-30", "2023-13-01", "2023-00-10", "2023年4月31日", "20230230", "20231301",
        "2023/9/31"})
    void rejectsImpossibleDatesNamingTheValueAndTheAcceptedForms(String raw) {
        assertThatThrownBy(() -> DateValue.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("'" + raw + "' is not a real calendar date")
                .hasMessageContaining("2023-09-01")
                .hasMessageContaining("2023年9月1日");
    }

    @ParameterizedTest
    @ValueSource(strings = {"23-9-1", "23/09/01", "9/1/2023", "01/09/2023", "1.9.23", "01-09-23"})
    void rejectsTwoDigitYearsAndDayOrMonthFirstAsAmbiguous(String raw) {
        assertThatThrownBy(() -> DateValue.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("'" + raw + "' is ambiguous");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.5", "123456", "1234567", "202309011", "2023-09", "2023-09/01", "yesterday",
        "2023-09-01 noon", "2023-09-01T10:30:00+08:00", "23年9月1日", "-45170", "2023年9月"})
    void rejectsOtherText(String raw) {
        assertThatThrownBy(() -> DateValue.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("is not a date")
                .hasMessageContaining("Excel date number");
    }
}
