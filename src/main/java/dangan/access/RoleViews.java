package dangan.access;

import dangan.config.Settings;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which categories each role sees without an access grant (D-24), from {@code dangan.views.<role>}
 * (comma-separated categories, or {@code none}). Defaults: front desk basic + consumption; service
 * staff basic + preferences + health; managers everything; the keeper everything but health and
 * the full ID number; auditors and administrators no archive contents.
 */
public final class RoleViews {

    private static final Map<Role, String> DEFAULTS = Map.of(
            Role.FRONT_DESK, "basic,consumption",
            Role.SERVICE, "basic,preferences,health",
            Role.MANAGER, "basic,consumption,preferences,health,feedback,identity",
            Role.KEEPER, "basic,consumption,preferences,feedback",
            Role.AUDITOR, "",
            Role.ADMIN, "",
            Role.SURVEY_SOURCE, "");

    private final Map<Role, Set<Category>> views;

    private RoleViews(Map<Role, Set<Category>> views) {
        this.views = views;
    }

    public static RoleViews from(Settings settings) {
        Map<Role, Set<Category>> views = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            String key = "dangan.views." + role.label();
            String value = settings.get(key, DEFAULTS.get(role));
            Set<Category> categories = EnumSet.noneOf(Category.class);
            for (String label : value.split("\\s*,\\s*")) {
                if (label.isBlank() || label.equals("none")) continue;
                try {
                    categories.add(Category.of(label.strip()));
                } catch (IllegalArgumentException e) {
                    throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.views.category", "key", key, "value", label.strip(), "categories", Category.labels()), e);
                }
            }
            views.put(role, Set.copyOf(categories));
        }
        return new RoleViews(views);
    }

    /** The categories this role sees of any archive it may open. */
    public Set<Category> of(Role role) {
        return views.get(role);
    }

    /** As {@link #of}, by label ({@code basic}, {@code health} …), in the order of the categories. */
    public Set<String> labels(Role role) {
        Set<String> labels = new LinkedHashSet<>();
        views.get(role).stream().sorted().forEach(c -> labels.add(c.label()));
        return labels;
    }

    public boolean sees(Role role, Category... categories) {
        return views.get(role).containsAll(Arrays.asList(categories));
    }
}
