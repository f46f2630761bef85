package dangan.i18n;

import dangan.config.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("fast")
class MessagesTest {

    @TempDir
    Path dir;

    @Test
    void chineseUnlessTheConfigurationSaysEnglish() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "dangan.locale=\n");
        Settings settings = Settings.load(file, Map.of(), new Properties());

        assertThat(Messages.of(settings).language()).isEqualTo(Language.ZH);
        assertThat(Messages.of(settings.with(Map.of("dangan.locale", "zh-CN"))).language()).isEqualTo(Language.ZH);
        assertThat(Messages.of(settings.with(Map.of("dangan.locale", "en"))).language()).isEqualTo(Language.EN);
        assertThat(Messages.of(settings.with(Map.of("dangan.locale", "en_US"))).language()).isEqualTo(Language.EN);
        assertThatThrownBy(() -> Language.of(settings.with(Map.of("dangan.locale", "fr"))))
                .hasMessageContaining("dangan.locale").hasMessageContaining("'fr'").hasMessageContaining("zh-CN");
    }

    @Test
    void anApiRequestMayAskForTheOtherLanguage() {
        assertThat(Language.ofAcceptLanguage("en-US,en;q=0.9", Language.ZH)).isEqualTo(Language.EN);
        assertThat(Language.ofAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8", Language.EN)).isEqualTo(Language.ZH);
        assertThat(Language.ofAcceptLanguage("fr;q=1, en;q=0.5, zh;q=0.4", Language.ZH)).isEqualTo(Language.EN);
        assertThat(Language.ofAcceptLanguage("fr, de", Language.ZH)).isEqualTo(Language.ZH);
        assertThat(Language.ofAcceptLanguage("*", Language.EN)).isEqualTo(Language.EN);
        assertThat(Language.ofAcceptLanguage(";;;", Language.ZH)).isEqualTo(Language.ZH);
        assertThat(Language.ofAcceptLanguage(null, Language.EN)).isEqualTo(Language.EN);
    }

    @Test
    void daysAmountsAndNamesAsPeopleReadThem() {
        Messages zh = Messages.of(Language.ZH);
        Messages en = Messages.of(Language.EN);
        LocalDate day = LocalDate.of(2026, 12, 14);

        assertThat(zh.date(day)).isEqualTo("2026年12月14日");
        assertThat(en.date(day)).isEqualTo("14 December 2026");
        assertThat(zh.amount(new BigDecimal("1280"))).isEqualTo("1,280.00");
        assertThat(en.amount(new BigDecimal("0.5"))).isEqualTo("0.50");
        assertThat(zh.text("common.owner-role.store-manager")).isEqualTo("店长");
        assertThat(zh.text("common.tier", "tier", "A")).isEqualTo("A 类");
        assertThat(en.text("common.tier", "tier", "A")).isEqualTo("tier A");
        assertThat(zh.text("common.as-of", "day", day)).isEqualTo("截至 2026年12月14日");
        assertThat(en.text("common.as-of", "day", day)).isEqualTo("as of 14 December 2026");
    }

    @Test
    void pluralsAndNumbers() {
        assertThat(Messages.of(Language.EN).text("common.reminders", "count", 1)).isEqualTo("1 reminder");
        assertThat(Messages.of(Language.EN).text("common.reminders", "count", 1200)).isEqualTo("1,200 reminders");
        assertThat(Messages.of(Language.ZH).text("common.reminders", "count", 1)).isEqualTo("1 条提醒");
        assertThat(Messages.of(Language.ZH).text("common.customers", "count", 15)).isEqualTo("15 位客户");
    }

    @Test
    void aMissingKeyNamesTheBundleItShouldBeIn() {
        assertThatThrownBy(() -> Messages.of(Language.EN).text("common.no-such-message"))
                .hasMessageContaining("common.no-such-message").hasMessageContaining("i18n/common_en.properties");
        assertThatThrownBy(() -> Messages.of(Language.ZH).text("nodot"))
                .hasMessageContaining("must start with its area");
        assertThatThrownBy(() -> Messages.of(Language.ZH).text("common.tier", "tier"))
                .hasMessageContaining("name/value pairs");
    }
}
