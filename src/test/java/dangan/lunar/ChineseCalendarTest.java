package dangan.lunar;

import dangan.normalise.InvalidValueException;
import dangan.normalise.LunarDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Published dates (国务院办公厅 holiday notices, Hong Kong Observatory calendar) for 2024–2030. */
@Tag("fast")
class ChineseCalendarTest {

    private static LocalDate d(String iso) {
        return LocalDate.parse(iso);
    }

    @Test
    void springFestivalMidAutumnAndTheOthers2024To2030() {
        List<String> springFestival = List.of("2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26",
                "2029-02-13", "2030-02-03");
        List<String> midAutumn = List.of("2024-09-17", "2025-10-06", "2026-09-25", "2027-09-15", "2028-10-03",
                "2029-09-22", "2030-09-12");
        List<String> dragonBoat = List.of("2024-06-10", "2025-05-31", "2026-06-19", "2027-06-09", "2028-05-28",
                "2029-06-16", "2030-06-05");
        List<String> qingming = List.of("2024-04-04", "2025-04-04", "2026-04-05", "2027-04-05", "2028-04-04",
                "2029-04-04", "2030-04-05");
        for (int i = 0; i < 7; i++) {
            int year = 2024 + i;
            assertThat(ChineseFestival.SPRING_FESTIVAL.in(year)).as("春节 %d", year).isEqualTo(d(springFestival.get(i)));
            assertThat(ChineseFestival.MID_AUTUMN.in(year)).as("中秋节 %d", year).isEqualTo(d(midAutumn.get(i)));
            assertThat(ChineseFestival.DRAGON_BOAT.in(year)).as("端午节 %d", year).isEqualTo(d(dragonBoat.get(i)));
            assertThat(ChineseFestival.QINGMING.in(year)).as("清明 %d", year).isEqualTo(d(qingming.get(i)));
            assertThat(ChineseFestival.NEW_YEARS_EVE.in(year)).as("除夕 %d", year)
                    .isEqualTo(d(springFestival.get(i)).minusDays(1));
            assertThat(ChineseFestival.LANTERN.in(year)).as("元宵节 %d", year)
                    .isEqualTo(d(springFestival.get(i)).plusDays(14));
        }
        assertThat(ChineseFestival.QIXI.in(2026)).isEqualTo(d("2026-08-19"));
        assertThat(ChineseFestival.DOUBLE_NINTH.in(2026)).isEqualTo(d("2026-10-18"));
        assertThat(ChineseFestival.LABA.in(2026)).isEqualTo(d("2026-01-26")); // 腊八 of lunar year 2025
        assertThat(ChineseFestival.LABA.in(2027)).isEqualTo(d("2027-01-15"));
    }

    @Test
    void festivalsByNameAndInAWindowAcrossTheYearEnd() {
        assertThat(ChineseFestival.named("中秋")).contains(ChineseFestival.MID_AUTUMN);
        assertThat(ChineseFestival.named("春节")).contains(ChineseFestival.SPRING_FESTIVAL);
        assertThat(ChineseFestival.named("圣诞节")).isEmpty();
        assertThat(ChineseFestival.NEW_YEARS_EVE.between(d("2027-01-30"), d("2027-02-10"))).containsExactly(d("2027-02-05"));
        assertThat(ChineseFestival.LABA.between(d("2026-12-20"), d("2027-01-20"))).containsExactly(d("2027-01-15"));
    }

    @Test
    void lunarDaysBothWays() {
        // 2025 has a leap sixth month (闰六月, 2025-07-25 … 2025-08-22)
        assertThat(ChineseDates.of(d("2025-07-25"))).isEqualTo(new ChineseDates.LunarDay(2025, 6, true, 1, 29));
        assertThat(ChineseDates.hasLeapMonth(2025, 6)).isTrue();
        assertThat(ChineseDates.hasLeapMonth(2025, 4)).isFalse();
        assertThat(ChineseDates.gregorian(2025, 6, true, 1)).contains(d("2025-07-25"));
        assertThat(ChineseDates.gregorian(2025, 4, true, 1)).isEmpty();
        assertThat(ChineseDates.of(d("2027-02-06"))).isEqualTo(new ChineseDates.LunarDay(2027, 1, false, 1, 30));
        assertThat(ChineseDates.of(d("2027-02-05")).lunarYear()).isEqualTo(2026);
    }

    @Test
    void aBirthdayOnDay30IsKeptOnDay29InAShortMonthAndALeapMonthBirthdayInTheOrdinaryMonth() {
        // 闰六月 2025 has 29 days: a birthday on 闰六月三十 is kept on 闰六月廿九 (2025-08-22)
        assertThat(ChineseDates.gregorian(2025, 6, true, 30)).isEmpty();
        assertThat(ChineseDates.observed(2025, 6, true, 30)).isEqualTo(d("2025-08-22"));
        // 2026 has no 闰六月: kept in the ordinary sixth month
        assertThat(ChineseDates.observed(2026, 6, true, 1)).isEqualTo(ChineseDates.gregorian(2026, 6, false, 1).orElseThrow());
        assertThat(ChineseDates.observed(2025, 3, false, 8)).isEqualTo(d("2025-04-05"));
        // what the greetings job joins to: 腊月 2025 has 29 days, so 2026-02-16 keeps day 29 and day 30 birthdays;
        // lunar year 2025 has no 闰十二月, so 闰腊月 birthdays too
        assertThat(ChineseDates.keptBetween(d("2026-02-16"), d("2026-02-16"))).containsExactlyInAnyOrder(
                new ChineseDates.Kept(12, false, 29, d("2026-02-16")), new ChineseDates.Kept(12, true, 29, d("2026-02-16")),
                new ChineseDates.Kept(12, false, 30, d("2026-02-16")), new ChineseDates.Kept(12, true, 30, d("2026-02-16")));
        assertThat(ChineseDates.keptBetween(d("2025-07-25"), d("2025-07-25")))
                .containsExactly(new ChineseDates.Kept(6, true, 1, d("2025-07-25")));
    }

    @Test
    void lunarBirthdaysAsPeopleWriteThem() {
        assertThat(LunarDate.parse("农历三月初八")).isEqualTo(new LunarDate(null, 3, false, 8));
        assertThat(LunarDate.parse("1985年农历三月初八")).isEqualTo(new LunarDate(1985, 3, false, 8));
        assertThat(LunarDate.parse("农历闰四月十五")).isEqualTo(new LunarDate(null, 4, true, 15));
        assertThat(LunarDate.parse("阴历腊月廿三")).isEqualTo(new LunarDate(null, 12, false, 23));
        assertThat(LunarDate.parse("正月初一")).isEqualTo(new LunarDate(null, 1, false, 1));
        assertThat(LunarDate.parse("冬月二十")).isEqualTo(new LunarDate(null, 11, false, 20));
        assertThat(LunarDate.parse("十二月三十")).isEqualTo(new LunarDate(null, 12, false, 30));
        assertThat(LunarDate.parse("3月8日")).isEqualTo(new LunarDate(null, 3, false, 8));
        assertThat(LunarDate.parse("1990-08-15")).isEqualTo(new LunarDate(1990, 8, false, 15));
        assertThat(LunarDate.parse(" ")).isNull();
        assertThat(LunarDate.parse("1985年农历三月初八").toString()).isEqualTo("1985年农历三月初八");
        assertThat(LunarDate.parse("农历闰4月15").toString()).isEqualTo("农历闰四月十五");
        assertThat(LunarDate.parse("1985年农历三月初八").gregorianBirth()).isEqualTo(d("1985-04-27"));
        assertThat(LunarDate.looksLunar("农历三月初八")).isTrue();
        assertThat(LunarDate.looksLunar("2023年9月1日")).isFalse();

        assertThatThrownBy(() -> LunarDate.parse("农历十三月初一")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("农历十三月初一");
        assertThatThrownBy(() -> LunarDate.parse("2024年农历闰四月初一")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("no leap month 4");
        assertThatThrownBy(() -> LunarDate.parse("下个月")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("农历三月初八");
    }
}
