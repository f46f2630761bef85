package dangan.access;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Who a member of staff is to the archive (D-24); the names are what operators type. */
public enum Role {
    FRONT_DESK("front-desk"),
    SERVICE("service"),
    MANAGER("manager"),
    KEEPER("keeper"),
    AUDITOR("auditor"),
    ADMIN("admin");

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

    public static String labels() {
        return Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
