package dangan.reminders;

import dangan.config.Settings;
import dangan.i18n.Messages;

import java.time.ZoneId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Everything the reminder jobs read from configuration ({@code dangan.reminders.*}), checked at start-up. */
public record ReminderSettings(Cadence cadence, Set<String> healthRoles, int specialDays, int greetingDaysAhead,
                               Festivals festivals, String followUpRole, String followUpChannel,
                               int staleDays, String staleRole, String staleChannel,
                               Map<String, String> completenessFields, List<String> digestTo, String smtpUrl,
                               String mailFrom, int digestMaxLines, ZoneId zone, Map<String, String> purposes,
                               Messages messages) {

    /** The jobs that reach customers and the consent purpose each needs by default (PIPL art. 13). */
    public static final Map<String, String> DEFAULT_PURPOSES = Map.of("visit-plan", "contact", "follow-ups", "contact",
            "greetings", "marketing");

    /** The fields the completeness report can check (completeness.sql). */
    public static final Set<String> CHECKABLE = Set.of("mobile", "email", "birth_date", "gender", "address", "id_number",
            "employer", "job_title", "nationality", "preferences", "special_dates", "sensitive_consent");

    public static ReminderSettings of(Settings s) {
        Map<String, String> tiers = new LinkedHashMap<>();
        for (String tier : Cadence.TIERS) tiers.put(tier, s.get("dangan.reminders.cadence." + tier, ""));
        return new ReminderSettings(
                Cadence.parse(tiers),
                new LinkedHashSet<>(list(s.get("dangan.reminders.health-roles", ""))),
                positive(s, "dangan.reminders.visit-plan.special-days", 60),
                positive(s, "dangan.reminders.greetings.days-ahead", 7),
                Festivals.parse(s.get("dangan.reminders.festivals", "")),
                role(s, "dangan.reminders.follow-up.role", "service"),
                channel(s, "dangan.reminders.follow-up.channel", "phone"),
                positive(s, "dangan.reminders.staleness.days", 90),
                role(s, "dangan.reminders.staleness.role", "front-desk"),
                channel(s, "dangan.reminders.staleness.channel", "phone"),
                fields(s.get("dangan.reminders.completeness.fields", "")),
                list(s.get("dangan.reminders.digest.to", "")),
                s.get("dangan.smtp.url"),
                s.get("dangan.mail.from"),
                positive(s, "dangan.reminders.digest.max-lines", 200),
                s.zone(),
                purposes(s),
                Messages.of(s));
    }

    /** The consent purpose a job needs ({@code dangan.consent.purpose.<job>}), or null for jobs that reach staff only. */
    public String purpose(String job) {
        return purposes.get(job);
    }

    private static Map<String, String> purposes(Settings s) {
        Map<String, String> purposes = new LinkedHashMap<>();
        DEFAULT_PURPOSES.forEach((job, fallback) -> {
            String key = "dangan.consent.purpose." + job;
            String value = s.get(key, fallback).strip();
            if (!value.equals("service") && !value.equals("contact") && !value.equals("marketing")) {
                throw dangan.i18n.ConfigurationException.of("config.reminders.purpose", "key", key, "value", value);
            }
            purposes.put(job, value);
        });
        return Map.copyOf(purposes);
    }

    /** The digest goes out when there are recipients, an SMTP server and a From address. */
    public boolean digestOn() {
        return !digestTo.isEmpty() && smtpUrl != null && !smtpUrl.isBlank() && mailFrom != null && !mailFrom.isBlank();
    }

    /** Roles a visits file may name: the cadence's, the follow-up's and the staleness review's. */
    public Set<String> knownRoles() {
        Set<String> roles = new LinkedHashSet<>(cadence.roles());
        roles.add(followUpRole);
        roles.add(staleRole);
        return roles;
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }

    private static int positive(Settings s, String key, int fallback) {
        int value = s.getInt(key, fallback);
        if (value < 1) throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", key, "value", String.valueOf(value));
        return value;
    }

    private static String role(Settings s, String key, String fallback) {
        String value = s.get(key, fallback).strip();
        if (!value.matches("[a-z][a-z0-9-]*")) throw dangan.i18n.ConfigurationException.of("config.reminders.role", "key", key, "value", value);
        return value;
    }

    private static String channel(Settings s, String key, String fallback) {
        String value = s.get(key, fallback).strip();
        if (!Cadence.CHANNELS.contains(value)) throw dangan.i18n.ConfigurationException.of("config.reminders.channel", "key", key, "value", value, "channels", String.valueOf(Cadence.CHANNELS));
        return value;
    }

    private static Map<String, String> fields(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : list(text)) {
            String[] parts = entry.split(":", 2);
            String field = parts[0].strip();
            if (parts.length < 2 || !CHECKABLE.contains(field) || !parts[1].strip().matches("[a-z][a-z0-9-]*")) {
                throw dangan.i18n.ConfigurationException.of("config.reminders.completeness", "entry", entry, "fields", String.valueOf(new java.util.TreeSet<>(CHECKABLE)));
            }
            map.put(field, parts[1].strip());
        }
        return map;
    }
}
