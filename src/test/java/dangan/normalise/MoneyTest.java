package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class MoneyTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1200         | 1200.00",
        "'1,200.50'   | 1200.50",
        "¥1200        | 1200.00",
        "￥1,200      | 1200.00",
        "'¥ 1,200.5'  | 1200.50",
        "1200元       | 1200.00",
        "RMB 1200     | 1200.00",
        "rmb1200      | 1200.00",
        "CNY 88.8     | 88.80",
        "1200.00 元   | 1200.00",
        "人民币1200元  | 1200.00",
        "１２００元    | 1200.00",
        "'1,234,567.89' | 1234567.89",
        "0            | 0.00",
        "0.5          | 0.50",
        "1200.000     | 1200.00"})
    void acceptsAmountsAsScaleTwo(String raw, String expected) {
        BigDecimal amount = Money.parse(raw);

        assertThat(amount).isEqualTo(new BigDecimal(expected));
        assertThat(amount.scale()).isEqualTo(2);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "\u3000"})
    void blankIsNull(String raw) {
        assertThat(Money.parse(raw)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-100", "-1,200.50", "¥-100", "-¥100", "－100元", "\u2212100"})
    void rejectsNegativeAmounts(String raw) {
        assertThatThrownBy(() -> Money.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("is a negative amount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "免费", "1200abc", "12,00", "1,2000", "1.200,50", "1 200", "$1200", "1200 USD",
        "¥", "元", ".5", "5.", "1e3", "壹仟贰佰元", "1200元元"})
    void rejectsNonNumbers(String raw) {
        assertThatThrownBy(() -> Money.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("is not an amount of money: expected an amount in yuan such as 1200");
    }

    @Test
    void rejectsFractionsOfAFenInsteadOfRounding() {
        assertThatThrownBy(() -> Money.parse("12.345"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessage("'12.345' has more than 2 decimal places: amounts are recorded to the fen, e.g. 1200.50");
    }
}
