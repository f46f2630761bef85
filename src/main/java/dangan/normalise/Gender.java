package dangan.normalise;

import java.util.Locale;
import java.util.Map;

/** A customer's gender as recorded on the registration form. */
public enum Gender {
    /** Male (男). */
    M,
    /** Female (女). */
    F;

    private static final Map<String, Gender> WORDS = Map.ofEntries(
            Map.entry("男", M), Map.entry("男性", M), Map.entry("先生", M),
            Map.entry("m", M), Map.entry("male", M),
            Map.entry("女", F), Map.entry("女性", F), Map.entry("女士", F), Map.entry("小姐", F),
            Map.entry("f", F), Map.entry("female", F));

    /** Parses 男/女, 男性/女性, 先生/女士/小姐, M/F or male/female (any case); null for blank input. */
    public static Gender parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) {
            return null;
        }
        Gender gender = WORDS.get(cleaned.toLowerCase(Locale.ROOT));
        if (gender == null) {
            throw InvalidValueException.of("normalise.gender.invalid", "value", Quote.of(cleaned));
        }
        return gender;
    }
}
