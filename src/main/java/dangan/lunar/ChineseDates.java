package dangan.lunar;

import com.ibm.icu.impl.CalendarAstronomer;
import com.ibm.icu.util.Calendar;
import com.ibm.icu.util.ChineseCalendar;
import com.ibm.icu.util.TimeZone;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Conversions between the Gregorian and the Chinese lunisolar calendar (农历), on ICU4J's
 * {@link ChineseCalendar}: ICU decides the months of each lunar year and which one is a leap month
 * (闰月); the day each month begins is the day of its new moon in China time, checked with
 * {@link NewMoon} (ICU places a few near-midnight new moons a day late, 春节 2027 among them).
 *
 * <p>A lunar year is named here by the Gregorian year in which it begins (its 春节): lunar year
 * 2026 runs from 2026-02-17 to 2027-02-05. Months are 1 … 12, a leap month repeats the number of
 * the month before it; days 1 … 29 or 30.
 */
public final class ChineseDates {

    private static final long DAY_MS = 86_400_000L;
    private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

    /** One month of a lunar year: its number, whether it is the leap month, its first day. */
    record Month(int number, boolean leap, LocalDate first) {
    }

    private static final Map<Integer, List<Month>> YEARS = new ConcurrentHashMap<>();

    private ChineseDates() {
    }

    /** One day of the lunar calendar, with the length of its month. */
    public record LunarDay(int lunarYear, int month, boolean leap, int day, int daysInMonth) {
    }

    /** The lunar day a Gregorian day is. */
    public static LunarDay of(LocalDate day) {
        for (int year = day.getYear(); year >= day.getYear() - 1; year--) {
            List<Month> months = months(year);
            LocalDate end = months(year + 1).get(0).first();
            if (day.isBefore(months.get(0).first()) || !day.isBefore(end)) continue;
            for (int i = months.size() - 1; i >= 0; i--) {
                Month m = months.get(i);
                if (!day.isBefore(m.first())) {
                    LocalDate next = i + 1 < months.size() ? months.get(i + 1).first() : end;
                    return new LunarDay(year, m.number(), m.leap(), (int) (day.toEpochDay() - m.first().toEpochDay()) + 1,
                            (int) (next.toEpochDay() - m.first().toEpochDay()));
                }
            }
        }
        throw new IllegalStateException("no lunar day for " + day);
    }

    /** The Gregorian day of a lunar date, or empty when that lunar year has no such month or day. */
    public static Optional<LocalDate> gregorian(int lunarYear, int month, boolean leap, int day) {
        if (month < 1 || month > 12 || day < 1 || day > 30) return Optional.empty();
        List<Month> months = months(lunarYear);
        for (int i = 0; i < months.size(); i++) {
            Month m = months.get(i);
            if (m.number() != month || m.leap() != leap) continue;
            LocalDate next = i + 1 < months.size() ? months.get(i + 1).first() : months(lunarYear + 1).get(0).first();
            LocalDate date = m.first().plusDays(day - 1L);
            return date.isBefore(next) ? Optional.of(date) : Optional.empty();
        }
        return Optional.empty();
    }

    /** Whether the lunar year has a leap month after month {@code month} (闰 month). */
    public static boolean hasLeapMonth(int lunarYear, int month) {
        return months(lunarYear).stream().anyMatch(m -> m.number() == month && m.leap());
    }

    /**
     * The Gregorian day a lunar anniversary (birthday) is kept in a lunar year: its own month and day;
     * a leap-month (闰月) date in a year without that leap month is kept in the ordinary month of the
     * same number; day 30 in a month of 29 days is kept on day 29.
     */
    public static LocalDate observed(int lunarYear, int month, boolean leap, int day) {
        boolean inLeap = leap && hasLeapMonth(lunarYear, month);
        Optional<LocalDate> exact = gregorian(lunarYear, month, inLeap, day);
        if (exact.isEmpty() && day == 30) exact = gregorian(lunarYear, month, inLeap, 29);
        return exact.orElseThrow(() -> new IllegalArgumentException(
                "no lunar month " + month + " day " + day + " in lunar year " + lunarYear));
    }

    /** A lunar month and day (a birthday) that is kept on a Gregorian day. */
    public record Kept(int month, boolean leap, int day, LocalDate on) {
    }

    /**
     * Every lunar birthday (month, leap, day) kept on a day from {@code from} to {@code to}: the day's own
     * lunar date; day 30 on day 29 of a month of 29 days; a leap-month (闰月) birthday on the ordinary
     * month's day in a year without that leap month. A greetings job joins its lunar birthdays to these.
     */
    public static List<Kept> keptBetween(LocalDate from, LocalDate to) {
        List<Kept> kept = new ArrayList<>();
        for (LocalDate on = from; !on.isAfter(to); on = on.plusDays(1)) {
            LunarDay d = of(on);
            boolean leapAbsent = !d.leap() && !hasLeapMonth(d.lunarYear(), d.month());
            kept.add(new Kept(d.month(), d.leap(), d.day(), on));
            if (leapAbsent) kept.add(new Kept(d.month(), true, d.day(), on));
            if (d.day() == 29 && d.daysInMonth() == 29) {
                kept.add(new Kept(d.month(), d.leap(), 30, on));
                if (leapAbsent) kept.add(new Kept(d.month(), true, 30, on));
            }
        }
        return kept;
    }

    /** The Gregorian day of 春节 (lunar new year) in a Gregorian year. */
    public static LocalDate newYear(int year) {
        return months(year).get(0).first();
    }

    /**
     * 清明: the day (China time) the sun reaches ecliptic longitude 15°, by ICU's astronomer (the one
     * its Chinese calendar places the solar terms with).
     */
    public static LocalDate qingming(int year) {
        long march = LocalDate.of(year, 3, 1).toEpochDay() * DAY_MS;
        long when = new CalendarAstronomer(march).getSunTime(Math.PI / 12, true);
        return Instant.ofEpochMilli(when).atZone(CHINA).toLocalDate();
    }

    /** The months of a lunar year, in order, each starting on its (checked) new moon day. */
    static List<Month> months(int lunarYear) {
        return YEARS.computeIfAbsent(lunarYear, ChineseDates::computeMonths);
    }

    private static List<Month> computeMonths(int lunarYear) {
        ChineseCalendar c = new ChineseCalendar(TimeZone.GMT_ZONE); // fields of midnight-UTC instants: the day itself
        c.setTimeInMillis(LocalDate.of(lunarYear, 6, 1).toEpochDay() * DAY_MS); // certainly inside the lunar year
        int extendedYear = c.get(Calendar.EXTENDED_YEAR);
        c.clear();
        c.set(Calendar.EXTENDED_YEAR, extendedYear);
        c.set(Calendar.MONTH, 0);
        c.set(Calendar.IS_LEAP_MONTH, 0);
        c.set(Calendar.DAY_OF_MONTH, 1);
        List<Month> months = new ArrayList<>();
        LocalDate first = LocalDate.ofEpochDay(Math.floorDiv(c.getTimeInMillis(), DAY_MS));
        while (true) {
            c.setTimeInMillis(first.toEpochDay() * DAY_MS);
            if (c.get(Calendar.EXTENDED_YEAR) != extendedYear) break;
            int length = c.getActualMaximum(Calendar.DAY_OF_MONTH);
            months.add(new Month(c.get(Calendar.MONTH) + 1, c.get(Calendar.IS_LEAP_MONTH) == 1, NewMoon.dayNear(first)));
            first = first.plusDays(length);
        }
        return List.copyOf(months);
    }
}
