package dangan.mail;

import dangan.i18n.Messages;

import java.util.Locale;

/**
 * An attachment's file name as the sender wrote it, and the safe form Dangan names it by in the
 * ledger, the log and the reply. The name is never used as a path: attachments are written to
 * temp files of Dangan's own naming. A name with folder parts ({@code ../../etc/passwd.csv},
 * {@code C:\x.csv}) is refused, since no mail program sends one.
 */
record AttachmentName(String raw, String safe) {

    static AttachmentName of(String raw, int index) {
        String original = raw == null ? "" : raw;
        String lastPart = original.substring(Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\')) + 1);
        String safe = lastPart.replaceAll("[\\p{Cntrl}<>:\"|?*]+", "_").replaceAll("^[.\\s]+", "").strip();
        if (safe.length() > 100) safe = safe.substring(0, 50) + "…" + safe.substring(safe.length() - 49);
        if (safe.isEmpty()) safe = "attachment-" + index;
        return new AttachmentName(original, safe);
    }

    /** The name has folder parts or a parent reference: refused. */
    boolean hasPathParts() {
        return raw.contains("/") || raw.contains("\\") || raw.equals("..") || raw.matches("^[A-Za-z]:.*");
    }

    String extension() {
        int dot = safe.lastIndexOf('.');
        return dot < 0 ? "" : safe.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** What the sender sees in the reply, as the part's label: the safe name, and the raw one (cleaned) when it differs. */
    String label(Messages messages) {
        return messages.text("mail.part.attachment", "name", safe, "renamed", safe.equals(raw) ? "no" : "yes",
                "raw", SafeText.oneLine(raw, 120));
    }
}
