package dangan.normalise;

/** Masks a sensitive value for reports and messages: ID-like strings keep their first 6 and last 4 characters. */
public final class Masking {

    private Masking() {
    }

    /** The first 6 and last 4 characters and stars between; a value of 10 characters or fewer is all stars. */
    public static String mask(String value) {
        if (value == null) return null;
        int hidden = value.length() - 10;
        if (hidden <= 0) {
            return "*".repeat(value.length());
        }
        return value.substring(0, 6) + "*".repeat(hidden) + value.substring(value.length() - 4);
    }
}
