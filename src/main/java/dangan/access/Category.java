package dangan.access;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The parts of an archive a role may see (D-24), field by field: basic (identity and contact, the
 * ID number masked), consumption (visits, consumption, contracts), preferences (preferences,
 * special dates, companions), health (health facts), feedback, identity (the full ID number).
 */
public enum Category {
    BASIC("basic"),
    CONSUMPTION("consumption"),
    PREFERENCES("preferences"),
    HEALTH("health"),
    FEEDBACK("feedback"),
    IDENTITY("identity");

    private final String label;

    Category(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }

    public static Category of(String label) {
        for (Category category : values()) {
            if (category.label.equals(label)) return category;
        }
        throw new IllegalArgumentException("Unknown category '" + label + "': use one of " + labels());
    }

    public static String labels() {
        return Arrays.stream(values()).map(Category::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
