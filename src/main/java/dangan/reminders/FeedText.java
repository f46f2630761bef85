package dangan.reminders;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.i18n.Messages;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a feed's CSV and the digest read for people: Chinese (or English) headings, kinds, roles as the
 * policies name them (店长, 外联专员), tiers (A 类), channels, subjects and facts, dates as
 * {@code 2026年12月14日}. With {@code dangan.feeds.headings=keys} the CSV keeps the English keys and the
 * machine values (codes, ISO dates) for systems that read it. The JSON feed is always for machines.
 */
public final class FeedText {

    private static final Pattern ISO_DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    /** A special date of the visit plan's facts as the SQL writes it: its kind, its label or lunar date, its day. */
    private static final Pattern SPECIAL_DATE = Pattern.compile("([a-z_]+)(?: \\((.*)\\))? (\\d{4}-\\d{2}-\\d{2})");

    /** The configuration key: {@code people} (default) or {@code keys}. */
    public static final String HEADINGS = "dangan.feeds.headings";

    private final Messages m;
    private final boolean keys;
    /** Names already looked up (kinds, roles, channels, tiers, statuses, fact keys): a feed asks for them per row. */
    private final Map<String, String> names = new ConcurrentHashMap<>();

    FeedText(Messages messages, boolean keys) {
        this.m = messages;
        this.keys = keys;
    }

    /** Whether {@code dangan.feeds.headings} asks for the English keys and machine values (also for the KPI CSV). */
    public static boolean keys(String setting) {
        if (setting == null || setting.isBlank() || setting.strip().equals("people")) return false;
        if (setting.strip().equals("keys")) return true;
        throw dangan.i18n.ConfigurationException.of("config.feeds.headings", "key", HEADINGS, "value", setting.strip());
    }

    Messages messages() {
        return m;
    }

    String[] headings(String[] columns) {
        if (keys) return columns;
        String[] out = new String[columns.length];
        for (int i = 0; i < columns.length; i++) out[i] = m.text("reminders.column." + columns[i]);
        return out;
    }

    /** The headings of a feed's counts file: {@code reminders.counts.<column>}, or the keys themselves. */
    List<String> countHeadings(List<String> columns) {
        return keys ? columns : columns.stream().map(c -> m.text("reminders.counts." + c)).toList();
    }

    /** A consent purpose as people read it ({@code 服务关系}, {@code 营销同意}), or its code. */
    String purpose(String purpose) {
        return keys ? purpose : named("reminders.purpose." + purpose, purpose);
    }

    String job(String job) {
        return keys ? job : named("reminders.job." + job, job);
    }

    String kind(String kind) {
        return keys ? kind : named("reminders.kind." + kind, kind);
    }

    String role(String role) {
        if (keys || role == null) return role;
        if (m.has("common.owner-role." + role)) return m.text("common.owner-role." + role);
        return named("common.role." + role, role);
    }

    String channel(String channel) {
        return keys || channel == null ? channel : named("common.channel." + channel, channel);
    }

    String tier(String tier) {
        return keys || tier == null ? tier : names.computeIfAbsent("tier:" + tier, t -> m.text("common.tier", "tier", tier));
    }

    String status(String status) {
        return keys ? status : named("reminders.status." + status, status);
    }

    String date(String iso) {
        if (keys || iso == null) return iso;
        try {
            return m.date(LocalDate.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }

    /** birthday → 生日, festival:中秋节 → 节日：中秋节, completeness "address,mobile" → 地址、手机. */
    String subject(String kind, String subject) {
        if (keys || subject == null || subject.isEmpty()) return subject;
        if ("completeness".equals(kind)) {
            List<String> fields = new ArrayList<>();
            for (String f : subject.split(",")) fields.add(named("reminders.field." + f, f));
            return String.join(m.text("reminders.list-separator"), fields);
        }
        int colon = subject.indexOf(':');
        String code = colon < 0 ? subject : subject.substring(0, colon);
        String rest = colon < 0 ? null : subject.substring(colon + 1);
        if (code.equals("festival") && rest != null) return m.text("reminders.subject.festival", "name", rest);
        String named = named("reminders.subject." + code, code);
        return rest == null ? named : named + "（" + rest + "）";
    }

    /** A person's reading of the facts: "偏好：room: 高楼层 | 上次拜访：日期 2026年10月1日，方式 电话". */
    String details(JsonNode facts) {
        List<String> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = facts.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("health")) continue;
            parts.add(fact(f.getKey()) + (keys ? ": " : "：") + render(f.getKey(), f.getValue()));
        }
        return String.join(" | ", parts);
    }

    private String fact(String key) {
        return keys ? key : named("reminders.fact." + key, key);
    }

    private String render(String key, JsonNode node) {
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(render(key, n)));
            return String.join("; ", items);
        }
        if (node.isObject()) {
            List<String> items = new ArrayList<>();
            node.fields().forEachRemaining(e -> items.add(fact(e.getKey()) + " " + render(e.getKey(), e.getValue())));
            return String.join(keys ? ", " : "，", items);
        }
        if (node.isBigDecimal() || node.isNumber()) {
            return keys || !key.equals("amount") ? node.decimalValue().toPlainString() : m.amount(node.decimalValue());
        }
        String text = node.asText();
        if (keys) return text;
        if (ISO_DAY.matcher(text).matches()) return date(text);
        Matcher special = key.equals("special_dates") ? SPECIAL_DATE.matcher(text) : null;
        if (special != null && special.matches()) { // "birthday (农历三月初五) 2027-04-11" as people read it: 生日（农历三月初五）2027年4月11日
            String what = named("reminders.occasion." + special.group(1), special.group(1));
            return (special.group(2) == null ? what : what + "（" + special.group(2) + "）") + " " + date(special.group(3));
        }
        return switch (key) {
            case "occasion" -> named("reminders.occasion." + text, text);
            case "channel" -> channel(text);
            case "role" -> role(text);
            default -> text;
        };
    }

    private String named(String key, String fallback) {
        return names.computeIfAbsent(key + "\u0000" + fallback, k -> m.has(key) ? m.text(key) : fallback);
    }
}
