package dangan.mail;

/** Small text helpers for logs and replies. */
final class SafeText {

    private SafeText() {
    }

    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Control characters out, at most {@code max} characters: safe for a log line or a mail header. */
    static String oneLine(String text, int max) {
        if (text == null) return "";
        String clean = text.replaceAll("[\\p{Cntrl}\\u2028\\u2029]+", " ").strip();
        return clean.length() <= max ? clean : clean.substring(0, max - 1) + "…";
    }
}
