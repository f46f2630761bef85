package dangan.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class TextTest {

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "\t\n", "\u3000", "\uFEFF", "\u200B \u200B", "\u00A0"})
    void blankOrInvisibleBecomesNull(String raw) {
        assertThat(Text.clean(raw)).isNull();
    }

    @Test
    void foldsFullWidthLettersDigitsAndPunctuation() {
        assertThat(Text.clean("ＡＢＣ１２３＠ｑｑ．ｃｏｍ")).isEqualTo("ABC123@qq.com");
        assertThat(Text.clean("（０１０）－１２３")).isEqualTo("(010)-123");
        assertThat(Text.clean("￥１，２００")).isEqualTo("¥1,200");
    }

    @Test
    void turnsIdeographicSpaceIntoSpaceAndCollapsesRuns() {
        assertThat(Text.clean("张\u3000\u3000三")).isEqualTo("张 三");
        assertThat(Text.clean("  a \t\n b  ")).isEqualTo("a b");
    }

    @Test
    void stripsBomAndZeroWidthCharacters() {
        assertThat(Text.clean("\uFEFF138\u200B0013\u200D8000\u2060")).isEqualTo("13800138000");
    }

    @Test
    void leavesChineseTextAlone() {
        assertThat(Text.clean("王小明")).isEqualTo("王小明");
    }
}
