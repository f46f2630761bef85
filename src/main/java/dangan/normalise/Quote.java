package dangan.normalise;

/** Quotes a user-typed value for an error message, masking anything that looks like a resident ID. */
final class Quote {

    private static final int MAX_LENGTH = 40;

    private Quote() {
    }

    /** Returns the value in single quotes, ID-like digit runs masked and overly long text shortened. */
    static String of(String value) {
        String masked = Masking.maskIdLikeRuns(value);
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
}
