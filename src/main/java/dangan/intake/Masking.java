package dangan.intake;

/** Masks a sensitive value for reports: the first six and last four characters at most, the rest as stars. */
public final class Masking {

    private Masking() {
    }

    public static String mask(String value) {
        if (value == null) return null;
        int length = value.length();
        if (length <= 4) return "*".repeat(length);
        int head = Math.min(6, (length - 4) / 2);
        int tail = Math.min(4, length - head - 1);
        return value.substring(0, head) + "*".repeat(length - head - tail) + value.substring(length - tail);
    }
}
