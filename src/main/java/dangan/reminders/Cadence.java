package dangan.reminders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The visit cadence by tier (D-20), from {@code dangan.reminders.cadence.A} … {@code .E}. Each
 * tier is a comma-separated list of duties {@code role:channel=months}; alternatives of one role
 * are joined with {@code |} ({@code sales-manager:phone=1|visit=2}: phone monthly, or a visit that
 * counts for two months); {@code role:letter=festivals} names who writes the festival letters.
 */
public final class Cadence {

    public static final List<String> TIERS = List.of("A", "B", "C", "D", "E");
    public static final Set<String> CHANNELS = Set.of("phone", "letter", "email", "visit", "sms");
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern OPTION = Pattern.compile("([a-z]+)=(\\d+|festivals)");

    /** One way a role keeps in touch: channel, every so many months. */
    public record Option(String channel, int months) {
    }

    /** What one role does for a tier: its usual channel first, then the alternatives. */
    public record Duty(String tier, String role, List<Option> options) {
    }

    /** Who writes the festival greetings of a tier, and how. */
    public record Greeter(String tier, String role, String channel) {
    }

    private final List<Duty> duties;
    private final List<Greeter> greeters;

    private Cadence(List<Duty> duties, List<Greeter> greeters) {
        this.duties = duties;
        this.greeters = greeters;
    }

    /** Parses the five tiers' texts (key: tier letter); a mistake names the key, the entry and the form expected. */
    public static Cadence parse(Map<String, String> byTier) {
        List<Duty> duties = new ArrayList<>();
        List<Greeter> greeters = new ArrayList<>();
        for (String tier : TIERS) {
            String key = "dangan.reminders.cadence." + tier;
            String text = byTier.get(tier);
            if (text == null || text.isBlank()) {
                throw dangan.i18n.ConfigurationException.of("config.cadence.empty", "key", key);
            }
            Map<String, Duty> roles = new LinkedHashMap<>();
            Greeter festival = null;
            for (String entry : text.split(",")) {
                String e = entry.strip();
                int colon = e.indexOf(':');
                if (colon < 0) throw bad(key, e);
                String role = e.substring(0, colon).strip();
                if (!ROLE.matcher(role).matches()) throw bad(key, e);
                List<Option> options = new ArrayList<>();
                for (String alt : e.substring(colon + 1).split("\\|")) {
                    Matcher m = OPTION.matcher(alt.strip());
                    if (!m.matches() || !CHANNELS.contains(m.group(1))) throw bad(key, e);
                    if (m.group(2).equals("festivals")) {
                        if (festival != null) throw dangan.i18n.ConfigurationException.of("config.cadence.two-letters", "key", key, "entry", e);
                        festival = new Greeter(tier, role, m.group(1));
                        continue;
                    }
                    int months = Integer.parseInt(m.group(2));
                    if (months < 1 || months > 24) throw dangan.i18n.ConfigurationException.of("config.cadence.months", "key", key, "entry", e);
                    options.add(new Option(m.group(1), months));
                }
                if (options.isEmpty()) continue;
                if (roles.containsKey(role)) {
                    throw dangan.i18n.ConfigurationException.of("config.cadence.two-duties", "key", key, "role", role);
                }
                roles.put(role, new Duty(tier, role, List.copyOf(options)));
            }
            if (roles.isEmpty()) throw dangan.i18n.ConfigurationException.of("config.cadence.no-duty", "key", key);
            duties.addAll(roles.values());
            Duty first = roles.values().iterator().next();
            greeters.add(festival != null ? festival : new Greeter(tier, first.role(), first.options().get(0).channel()));
        }
        return new Cadence(List.copyOf(duties), List.copyOf(greeters));
    }

    private static RuntimeException bad(String key, String entry) {
        return dangan.i18n.ConfigurationException.of("config.cadence.not-a-duty", "key", key, "entry", entry,
                "channels", String.join("/", new java.util.TreeSet<>(CHANNELS)));
    }

    public List<Duty> duties() {
        return duties;
    }

    public List<Greeter> greeters() {
        return greeters;
    }

    /** Every role the cadence names. */
    public Set<String> roles() {
        Set<String> roles = new LinkedHashSet<>();
        duties.forEach(d -> roles.add(d.role()));
        greeters.forEach(g -> roles.add(g.role()));
        return roles;
    }

    /** The {@code :'cadence'} parameter of visit-plan.sql. */
    public String dutiesJson(ObjectMapper json) {
        ArrayNode rows = json.createArrayNode();
        for (Duty d : duties) {
            int rank = 1;
            for (Option o : d.options()) {
                ObjectNode row = rows.addObject();
                row.put("tier", d.tier()).put("role", d.role()).put("channel", o.channel()).put("months", o.months()).put("rank", rank++);
            }
        }
        return rows.toString();
    }

    /** The {@code :'greeters'} parameter of greetings.sql. */
    public String greetersJson(ObjectMapper json) {
        ArrayNode rows = json.createArrayNode();
        greeters.forEach(g -> rows.addObject().put("tier", g.tier()).put("role", g.role()).put("channel", g.channel()));
        return rows.toString();
    }
}
