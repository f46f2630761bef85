package dangan.reminders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dangan.lunar.ChineseFestival;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.List;

/**
 * The festivals greeted (dangan.reminders.festivals), comma-separated: a festival of the Chinese
 * calendar by its name alone ({@code 春节}, {@code 元宵节}, {@code 端午节}, {@code 七夕}, {@code 中秋节},
 * {@code 重阳节}, {@code 腊八}, {@code 除夕}, {@code 清明}), computed for every year; or {@code date name}
 * with {@code MM-DD} for a fixed day every year ({@code 01-01 元旦}) or {@code YYYY-MM-DD} for a day of
 * one year ({@code 2026-11-26 店庆}).
 */
public final class Festivals {

    /** One festival: a day every year (monthDay), on one date, or a festival of the Chinese calendar. */
    public record Festival(String name, MonthDay every, LocalDate once, ChineseFestival chinese) {
    }

    private final List<Festival> festivals;

    private Festivals(List<Festival> festivals) {
        this.festivals = festivals;
    }

    public static Festivals parse(String text) {
        List<Festival> list = new ArrayList<>();
        if (text != null) {
            for (String entry : text.split(",")) {
                String e = entry.strip();
                if (e.isEmpty()) continue;
                String[] parts = e.split("\\s+", 2);
                if (parts.length < 2) {
                    ChineseFestival chinese = ChineseFestival.named(e).orElseThrow(() -> dangan.i18n.ConfigurationException.of(
                            "config.festivals.unknown", "entry", e, "festivals", String.valueOf(ChineseFestival.names())));
                    list.add(new Festival(chinese.title(), null, null, chinese));
                    continue;
                }
                try {
                    if (parts[0].matches("\\d{4}-\\d{2}-\\d{2}")) {
                        list.add(new Festival(parts[1].strip(), null, LocalDate.parse(parts[0]), null));
                    } else if (parts[0].matches("\\d{2}-\\d{2}")) {
                        list.add(new Festival(parts[1].strip(), MonthDay.parse("--" + parts[0]), null, null));
                    } else {
                        throw new DateTimeException("not MM-DD or YYYY-MM-DD");
                    }
                } catch (DateTimeException ex) {
                    throw dangan.i18n.ConfigurationException.of("config.festivals.date", "date", parts[0], "entry", e);
                }
            }
        }
        return new Festivals(List.copyOf(list));
    }

    /** The festival days from {@code from} to {@code to} (inclusive), as the {@code :'festivals'} parameter of greetings.sql. */
    public String inWindowJson(ObjectMapper json, LocalDate from, LocalDate to) {
        ArrayNode rows = json.createArrayNode();
        for (Festival f : festivals) {
            if (f.chinese() != null) {
                for (LocalDate day : f.chinese().between(from, to)) rows.addObject().put("occurs_on", day.toString()).put("name", f.name());
                continue;
            }
            if (f.once() != null) {
                if (!f.once().isBefore(from) && !f.once().isAfter(to)) rows.addObject().put("occurs_on", f.once().toString()).put("name", f.name());
                continue;
            }
            for (int year = from.getYear(); year <= to.getYear(); year++) {
                if (!f.every().isValidYear(year)) continue;
                LocalDate day = f.every().atYear(year);
                if (!day.isBefore(from) && !day.isAfter(to)) rows.addObject().put("occurs_on", day.toString()).put("name", f.name());
            }
        }
        return rows.toString();
    }

    public List<Festival> all() {
        return festivals;
    }
}
