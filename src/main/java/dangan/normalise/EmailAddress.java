package dangan.normalise;

import java.util.Locale;
import java.util.regex.Pattern;

/** An e-mail address, lowercased, e.g. zhang.wei@qq.com. */
public record EmailAddress(String value) {

    private static final Pattern LOCAL_PART =
            Pattern.compile("[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern DOMAIN =
            Pattern.compile("([\\p{L}\\p{N}]([\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?\\.)+\\p{L}{2,}");

    /** Rejects anything that is not a lowercase, well-formed address. */
    public EmailAddress {
        if (value == null || !isWellFormed(value) || !value.equals(value.toLowerCase(Locale.ROOT))) {
            throw InvalidValueException.of("normalise.email.invalid", "value", Quote.of(String.valueOf(value)));
        }
    }

    /** Parses a typed address (full-width characters allowed) and lowercases it; null for blank input. */
    public static EmailAddress parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) {
            return null;
        }
        String lowered = cleaned.toLowerCase(Locale.ROOT);
        if (!isWellFormed(lowered)) {
            throw InvalidValueException.of("normalise.email.invalid", "value", Quote.of(cleaned));
        }
        return new EmailAddress(lowered);
    }

    /** Returns the address. */
    @Override
    public String toString() {
        return value;
    }

    private static boolean isWellFormed(String address) {
        int at = address.indexOf('@');
        if (at < 0 || at != address.lastIndexOf('@')) {
            return false;
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        return local.length() <= 64 && domain.length() <= 253
                && LOCAL_PART.matcher(local).matches()
                && DOMAIN.matcher(domain).matches();
    }
}
