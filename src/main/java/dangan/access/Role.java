package dangan.access;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Who a member of staff is to the archive (D-24); the names are what operators type. */
public enum Role {
    FRONT_DESK("front-desk"),
    SERVICE("service"),
    MANAGER("manager"),
    KEEPER("keeper"),
    AUDITOR("auditor"),
    ADMIN("admin"),
    /** Not a person: a survey platform's token, good for {@code POST /api/surveys} only (never in {@code any}). */
    SURVEY_SOURCE("survey-source");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    public static Role of(String label) {
        for (Role role : values()) {
            if (role.label.equals(label)) return role;
        }
        throw new IllegalArgumentException("Unknown role '" + label + "': use one of " + labels());
    }

    /**
     * The roles a route names (routes/*.yaml, parameter {@code roles} of the template {@code api-call}):
     * labels separated by commas, or {@code any} for every authenticated member of staff — every role but
     * {@code survey-source}, which is a survey platform, not a person (the bean then decides
     * from the data, e.g. a grant's holder). A label that is no role stops the call with the route named.
     */
    public static Set<Role> setOf(String labels, String route) {
        if (labels == null || labels.isBlank()) {
            throw dangan.i18n.ConfigurationException.of("config.route.no-roles", "route", route, "roles", labels());
        }
        if (labels.strip().equals("any")) return Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(SURVEY_SOURCE)));
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String label : labels.split("\\s*,\\s*")) {
            try {
                roles.add(of(label.strip()));
            } catch (IllegalArgumentException e) {
                throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.route.role", "route", route, "role", label.strip(), "roles", labels()), e);
            }
        }
        return Collections.unmodifiableSet(roles);
    }

    public static String labels() {
        return Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
