package dangan.retention;

import dangan.config.Settings;

import java.time.ZoneId;

/**
 * Retention periods (D-31) in whole years since an archive's last activity; null keeps that category.
 *
 * @param archiveYears the whole archive ({@code dangan.retention.archive-years})
 * @param healthYears  only the health facts ({@code dangan.retention.health-years})
 * @param dueDays      a customer's deletion request is answered within this many days ({@code dangan.rights.due-days})
 */
public record RetentionSettings(Integer archiveYears, Integer healthYears, int dueDays, ZoneId zone) {

    public static RetentionSettings from(Settings settings) {
        return new RetentionSettings(years(settings, "dangan.retention.archive-years"),
                years(settings, "dangan.retention.health-years"),
                settings.getInt("dangan.rights.due-days", 15),
                settings.zone());
    }

    private static Integer years(Settings settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) return null;
        try {
            int years = Integer.parseInt(value.strip());
            if (years < 1) throw new NumberFormatException();
            return years;
        } catch (NumberFormatException e) {
            throw dangan.i18n.ConfigurationException.of("config.retention.years", "key", key, "value", value);
        }
    }

    /** As the proposal records them, and as psql gets them ('' = keep). */
    String archive() {
        return archiveYears == null ? "" : archiveYears.toString();
    }

    String health() {
        return healthYears == null ? "" : healthYears.toString();
    }
}
