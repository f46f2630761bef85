package dangan.i18n;

import java.util.Arrays;

/**
 * A text a person reads, kept as its message key and named arguments until the reader's language is
 * known: a reason built where no language is at hand (a file reader, a parser) is said later, in the
 * {@code .error.txt}, the ledger or an API answer, by {@link #in(Messages)}.
 *
 * @param key             the message key (its area first: {@code read.empty})
 * @param namesAndValues  the named arguments as name/value pairs
 */
public record Localized(String key, Object... namesAndValues) {

    public Localized {
        namesAndValues = namesAndValues.clone();
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("message " + key + ": arguments come as name/value pairs");
        }
    }

    public static Localized of(String key, Object... namesAndValues) {
        return new Localized(key, namesAndValues);
    }

    /** The text in the language of {@code messages}; an argument that is itself {@code Localized} is said in it too. */
    public String in(Messages messages) {
        Object[] said = namesAndValues;
        for (int i = 1; i < said.length; i += 2) {
            if (said[i] instanceof Localized inner) {
                if (said == namesAndValues) said = namesAndValues.clone();
                said[i] = inner.in(messages);
            }
        }
        return messages.text(key, said);
    }

    /** The text in English: for logs of the service and for exceptions' messages. */
    public String english() {
        return in(Messages.of(Language.EN));
    }

    @Override
    public Object[] namesAndValues() {
        return namesAndValues.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Localized l && key.equals(l.key) && Arrays.equals(namesAndValues, l.namesAndValues);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(namesAndValues);
    }

    @Override
    public String toString() {
        return english();
    }

    /** Something that carries a reason a person reads, said in any language. */
    public interface Carrier {
        Localized reason();
    }
}
