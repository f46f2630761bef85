package dangan.normalise;

import dangan.lunar.ChineseDates;

import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A date of the lunar calendar as people record birthdays: {@code 农历三月初八}, {@code 1985年农历三月初八},
 * {@code 农历闰四月十五}, {@code 阴历腊月廿三}, or in a lunar column also {@code 3月8日} / {@code 03-08}.
 * The year is optional (a birthday is kept by month and day); when it is given it names the lunar year
 * by the Gregorian year of its 春节, and a leap month or day 30 must exist in it.
 */
public record LunarDate(Integer year, int month, boolean leap, int day) {

    private static final String MONTH = "(正|腊|冬|十[一二]|[一二三四五六七八九十]|\\d{1,2})";
    private static final String DAY = "(初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]"
            + "|三十|卅|\\d{1,2})";
    private static final Pattern WRITTEN = Pattern.compile(
            "(?:(\\d{4})\\s*年?\\s*)?(农历|阴历|旧历)?\\s*(闰)?\\s*" + MONTH + "\\s*月\\s*" + DAY + "\\s*[日号]?");
    private static final Pattern NUMERIC = Pattern.compile("(?:(\\d{4})[-/.])?(\\d{1,2})[-/.](\\d{1,2})");
    private static final Pattern MARKED = Pattern.compile("农历|阴历|旧历|闰|正月|腊月|冬月|初[一二三四五六七八九十]|廿");

    public LunarDate {
        if (month < 1 || month > 12) throw new IllegalArgumentException("lunar month " + month);
        if (day < 1 || day > 30) throw new IllegalArgumentException("lunar day " + day);
    }

    /** Whether a value in an ordinary date column is written as a lunar date (农历…, 闰…, 正月, 初八 …). */
    public static boolean looksLunar(String raw) {
        String cleaned = Text.clean(raw);
        return cleaned != null && !ascii(cleaned) && MARKED.matcher(cleaned).find();
    }

    /** Every mark of a lunar date is a Chinese character: a date written in ASCII (1990-03-01, 1990/3/1) has none. */
    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) return false;
        }
        return true;
    }

    /** Parses a lunar date; null for blank input. */
    public static LunarDate parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) return null;
        Matcher m = WRITTEN.matcher(cleaned);
        LunarDate date;
        if (m.matches()) {
            date = of(cleaned, m.group(1), m.group(3) != null, month(m.group(4)), day(m.group(5)));
        } else if ((m = NUMERIC.matcher(cleaned)).matches()) {
            date = of(cleaned, m.group(1), false, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } else {
            throw InvalidValueException.of("normalise.lunar.invalid", "value", Quote.of(cleaned));
        }
        return date;
    }

    private static LunarDate of(String cleaned, String yearText, boolean leap, int month, int day) {
        if (month < 1 || month > 12 || day < 1 || day > 30) {
            throw InvalidValueException.of("normalise.lunar.range", "value", Quote.of(cleaned));
        }
        Integer year = yearText == null ? null : Integer.valueOf(yearText);
        if (year != null) {
            if (year < 1900 || year > LocalDate.now().getYear()) {
                throw InvalidValueException.of("normalise.lunar.year", "value", Quote.of(cleaned));
            }
            if (ChineseDates.gregorian(year, month, leap, day).isEmpty()) {
                boolean noLeap = leap && !ChineseDates.hasLeapMonth(year, month);
                throw InvalidValueException.of(noLeap ? "normalise.lunar.no-leap-month" : "normalise.lunar.no-day", "value",
                        Quote.of(cleaned), "year", String.valueOf(year), "month", month, "day", day);
            }
        }
        return new LunarDate(year, month, leap, day);
    }

    /** The Gregorian birth date, when the year is known. */
    public LocalDate gregorianBirth() {
        return year == null ? null : ChineseDates.gregorian(year, month, leap, day).orElse(null);
    }

    /** The Gregorian day this date is kept in a lunar year (闰月 and day 30 as {@link ChineseDates#observed}). */
    public LocalDate observedIn(int lunarYear) {
        return ChineseDates.observed(lunarYear, month, leap, day);
    }

    /** As people write it: {@code 1985年农历三月初八}, {@code 农历闰四月十五}, {@code 农历腊月三十}. */
    @Override
    public String toString() {
        return (year == null ? "" : year + "年") + "农历" + (leap ? "闰" : "") + MONTH_NAMES[month] + "月" + DAY_NAMES[day];
    }

    private static final String[] MONTH_NAMES = {"", "正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"};
    private static final String[] DAY_NAMES = {"", "初一", "初二", "初三", "初四", "初五", "初六", "初七", "初八", "初九", "初十",
            "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
            "廿一", "廿二", "廿三", "廿四", "廿五", "廿六", "廿七", "廿八", "廿九", "三十"};

    private static int month(String text) {
        return switch (text) {
            case "正" -> 1;
            case "冬" -> 11;
            case "腊" -> 12;
            default -> text.chars().allMatch(Character::isDigit) ? Integer.parseInt(text) : numeral(text);
        };
    }

    private static int day(String text) {
        if (text.chars().allMatch(Character::isDigit)) return Integer.parseInt(text);
        if (text.equals("卅")) return 30;
        if (text.startsWith("初")) return numeral(text.substring(1));
        if (text.startsWith("廿")) return 20 + numeral(text.substring(1));
        return numeral(text);
    }

    /** 一 … 三十 as a number. */
    private static int numeral(String text) {
        String digits = "一二三四五六七八九";
        int ten = text.indexOf('十');
        if (ten < 0) return digits.indexOf(text.charAt(0)) + 1;
        int tens = ten == 0 ? 1 : digits.indexOf(text.charAt(0)) + 1;
        int units = ten == text.length() - 1 ? 0 : digits.indexOf(text.charAt(ten + 1)) + 1;
        return tens * 10 + units;
    }
}
