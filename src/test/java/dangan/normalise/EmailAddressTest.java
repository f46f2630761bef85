package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class EmailAddressTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "zhangwei@qq.com            | zhangwei@qq.com",
        "ZhangWei@QQ.COM            | zhangwei@qq.com",
        "'  li.na+spa@163.com  '    | li.na+spa@163.com",
        "wang_fang@mail.example.cn  | wang_fang@mail.example.cn",
        "１２３４５＠ｑｑ．ｃｏｍ     | 12345@qq.com",
        "chen@my-hotel.com.cn       | chen@my-hotel.com.cn"})
    void acceptsAndLowercases(String raw, String expected) {
        assertThat(EmailAddress.parse(raw)).isEqualTo(new EmailAddress(expected));
        assertThat(EmailAddress.parse(raw)).hasToString(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\u3000"})
    void blankIsNull(String raw) {
        assertThat(EmailAddress.parse(raw)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zhangwei", "zhangwei@", "@qq.com", "zhang@wei@qq.com", "zhang wei@qq.com",
        "zhangwei@qq", "zhangwei@qq.", "zhangwei@.com", "zhangwei@qq..com", "zhang..wei@qq.com", ".zw@qq.com",
        "zw.@qq.com", "zhangwei@qq。com", "zhangwei@qq,com", "zhangwei@-qq.com", "zhangwei@qq.c0m"})
    void rejectsMalformedAddresses(String raw) {
        assertThatThrownBy(() -> EmailAddress.parse(raw))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("is not an e-mail address: expected one @");
    }

    @Test
    void rejectionQuotesTheCleanedValue() {
        assertThatThrownBy(() -> EmailAddress.parse("ｚｗ＠ｑｑ"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("'zw@qq' is not an e-mail address");
    }

    @Test
    void constructorRequiresLowercaseWellFormedAddress() {
        assertThatThrownBy(() -> new EmailAddress("ZW@qq.com")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new EmailAddress("zw at qq.com")).isInstanceOf(InvalidValueException.class);
        assertThat(new EmailAddress("zw@qq.com").value()).isEqualTo("zw@qq.com");
    }
}
