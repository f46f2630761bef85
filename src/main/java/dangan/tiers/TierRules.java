package dangan.tiers;

import dangan.config.Settings;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * D-18 as configured ({@code dangan.tiers.*}): the thresholds per tier, the window, the out-of-province
 * and "hardly came back" rules, and the intake columns that carry the flags. Checked once at start-up.
 */
public record TierRules(int windowMonths, int[] visits, BigDecimal[] spend, String outOfProvinceTier, Integer lapsedVisits,
                        Map<String, List<String>> flagColumns, List<String> yesValues) {

    static final String[] TIERS = {"A", "B", "C", "D"};
    /** Flag name (config) → customer column. */
    static final Map<String, String> FLAGS = Map.of(
            "key-decision-maker", "key_decision_maker",
            "important-organisation", "important_organisation",
            "out-of-province", "out_of_province");

    private static final int[] DEFAULT_VISITS = {12, 8, 4, 2};
    private static final int[] DEFAULT_SPEND = {1200, 800, 400, 200};

    public static TierRules from(Settings settings) {
        int window = settings.getInt("dangan.tiers.window-months", 12);
        if (window < 1) throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", "dangan.tiers.window-months", "value", String.valueOf(window));
        int[] visits = new int[4];
        BigDecimal[] spend = new BigDecimal[4];
        for (int i = 0; i < 4; i++) {
            String tier = TIERS[i].toLowerCase(Locale.ROOT);
            visits[i] = settings.getInt("dangan.tiers." + tier + ".visits", DEFAULT_VISITS[i]);
            String key = "dangan.tiers." + tier + ".spend";
            String raw = settings.get(key, String.valueOf(DEFAULT_SPEND[i])).trim();
            try {
                spend[i] = new BigDecimal(raw);
            } catch (NumberFormatException e) {
                throw dangan.i18n.ConfigurationException.of("config.tiers.amount", "key", key, "value", raw);
            }
            if (i > 0 && (visits[i] > visits[i - 1] || spend[i].compareTo(spend[i - 1]) > 0)) {
                throw dangan.i18n.ConfigurationException.of("config.tiers.order", "tier", tier, "visits", String.valueOf(visits[i]), "spend", spend[i].toPlainString(),
                        "higher", TIERS[i - 1], "higherVisits", String.valueOf(visits[i - 1]), "higherSpend", spend[i - 1].toPlainString());
            }
        }
        String oop = settings.get("dangan.tiers.out-of-province-tier", "E").trim().toUpperCase(Locale.ROOT);
        if (!oop.isEmpty() && !oop.matches("[A-E]")) {
            throw dangan.i18n.ConfigurationException.of("config.tiers.out-of-province", "value", oop);
        }
        String lapsed = settings.get("dangan.tiers.lapsed-max-visits", "1").trim();
        Integer lapsedVisits;
        try {
            lapsedVisits = lapsed.isEmpty() ? null : Integer.valueOf(lapsed);
        } catch (NumberFormatException e) {
            throw dangan.i18n.ConfigurationException.of("config.tiers.lapsed", "value", lapsed);
        }
        Map<String, List<String>> columns = new LinkedHashMap<>();
        for (String flag : List.of("key-decision-maker", "important-organisation", "out-of-province")) {
            columns.put(flag, list(settings.get("dangan.tiers.flags." + flag + ".columns", "")));
        }
        List<String> yes = list(settings.get("dangan.tiers.flags.yes-values", "是,Y,yes,true,1,√,✓"));
        return new TierRules(window, visits, spend, oop.isEmpty() ? null : oop, lapsedVisits, columns,
                yes.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList());
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) out.add(part.trim());
        }
        return out;
    }

    /** The thresholds as tier_for takes them: {A visits, A spend, B visits, …, D spend}, psql array text. */
    public String thresholds() {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < 4; i++) {
            if (i > 0) s.append(',');
            s.append(visits[i]).append(',').append(spend[i].toPlainString());
        }
        return s.append('}').toString();
    }

    /** The rules as JSON, kept on each proposal so it says what it was computed with. */
    public String json() {
        StringBuilder s = new StringBuilder("{\"window_months\":").append(windowMonths);
        for (int i = 0; i < 4; i++) {
            s.append(",\"").append(TIERS[i]).append("\":{\"visits\":").append(visits[i]).append(",\"spend\":")
                    .append(spend[i].toPlainString()).append('}');
        }
        s.append(",\"out_of_province_tier\":").append(outOfProvinceTier == null ? "null" : "\"" + outOfProvinceTier + "\"");
        s.append(",\"lapsed_max_visits\":").append(lapsedVisits == null ? "null" : lapsedVisits.toString());
        return s.append('}').toString();
    }

    /** Parameters of sql/annual-tier-review.sql, all as text (psql passes text too). */
    public Map<String, Object> reviewParameters(LocalDate asOf, String filedBy) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("as_of", asOf.toString());
        p.put("window_months", String.valueOf(windowMonths));
        p.put("thresholds", thresholds());
        p.put("out_of_province_tier", outOfProvinceTier == null ? "" : outOfProvinceTier);
        p.put("lapsed_visits", lapsedVisits == null ? "" : lapsedVisits.toString());
        p.put("filed_by", filedBy);
        p.put("rules", json());
        return p;
    }
}
