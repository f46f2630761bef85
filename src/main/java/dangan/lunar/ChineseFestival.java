package dangan.lunar;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The festivals of the Chinese calendar that {@code dangan.reminders.festivals} may name, computed
 * for any year: the lunar ones by their lunar month and day, 除夕 as the eve of 春节, 清明 by the sun.
 */
public enum ChineseFestival {
    SPRING_FESTIVAL("春节", 1, 1),
    LANTERN("元宵节", 1, 15, "元宵"),
    DRAGON_BOAT("端午节", 5, 5, "端午"),
    QIXI("七夕", 7, 7, "七夕节"),
    MID_AUTUMN("中秋节", 8, 15, "中秋"),
    DOUBLE_NINTH("重阳节", 9, 9, "重阳"),
    LABA("腊八", 12, 8, "腊八节"),
    NEW_YEARS_EVE("除夕", 0, 0, "大年三十"),
    QINGMING("清明", 0, 0, "清明节");

    private final String title;
    private final int month;
    private final int day;
    private final List<String> aliases;

    ChineseFestival(String title, int month, int day, String... aliases) {
        this.title = title;
        this.month = month;
        this.day = day;
        this.aliases = List.of(aliases);
    }

    /** The name as greetings show it. */
    public String title() {
        return title;
    }

    /** The festival a name (or a common short form: 中秋, 端午 …) means, if any. */
    public static Optional<ChineseFestival> named(String name) {
        String n = name.strip();
        return Arrays.stream(values()).filter(f -> f.title.equals(n) || f.aliases.contains(n)).findFirst();
    }

    /** The names accepted, for error messages. */
    public static String names() {
        return String.join("、", Arrays.stream(values()).map(ChineseFestival::title).toList());
    }

    /** The day of the festival in a Gregorian year (腊八 of the lunar year before falls in January). */
    public LocalDate in(int year) {
        return between(LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31)).get(0);
    }

    /** The days of the festival from {@code from} to {@code to}, both included, in order. */
    public List<LocalDate> between(LocalDate from, LocalDate to) {
        List<LocalDate> days = new ArrayList<>();
        for (int year = from.getYear() - 1; year <= to.getYear(); year++) {
            LocalDate on = switch (this) {
                case QINGMING -> ChineseDates.qingming(year);
                case NEW_YEARS_EVE -> ChineseDates.newYear(year + 1).minusDays(1); // the last day of lunar year `year`
                default -> ChineseDates.gregorian(year, month, false, day).orElseThrow();
            };
            if (!on.isBefore(from) && !on.isAfter(to)) days.add(on);
        }
        return days;
    }
}
