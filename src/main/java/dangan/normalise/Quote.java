package dangan.normalise;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Quotes a user-typed value for an error message, masking anything that looks like a resident ID. */
final class Quote {

    private static final int MAX_LENGTH = 40;
    private static final Pattern ID_LIKE = Pattern.compile("(?<![0-9])[0-9]{14,}[0-9Xx]?(?![0-9])");

    private Quote() {
    }

    /** Returns the value in single quotes, ID-like digit runs masked and overly long text shortened. */
    static String of(String value) {
        String masked = maskIdLikeRuns(value);
        if (masked.length() > MAX_LENGTH) {
            masked = masked.substring(0, MAX_LENGTH) + "…";
        }
        return "'" + masked + "'";
    }

    /** Returns the value fully masked and in single quotes, for fields that are sensitive as a whole. */
    static String masked(String value) {
        return "'" + mask(value) + "'";
    }

    static String mask(String idLike) {
        return Masking.mask(idLike);
    }

    private static String maskIdLikeRuns(String value) {
        Matcher matcher = ID_LIKE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(mask(matcher.group())));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
