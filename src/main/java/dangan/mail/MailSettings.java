package dangan.mail;

import dangan.config.Settings;

import java.util.ArrayList;
import java.util.List;

/**
 * The mail source's settings (D-12). The source is on when the IMAP URL, the SMTP URL and the
 * From address are all set; users and passwords may be empty for servers without login. A poll takes
 * up to {@code batchSize} mails; their replies go out over up to {@code smtpConnections} kept connections.
 */
public record MailSettings(String imapUrl, String smtpUrl, String from, long maxAttachmentBytes, int batchSize, int smtpConnections) {

    static final String IMAP_URL = "dangan.imap.url";
    static final String SMTP_URL = "dangan.smtp.url";
    static final String FROM = "dangan.mail.from";

    public static MailSettings of(Settings settings) {
        return new MailSettings(settings.get(IMAP_URL), settings.get(SMTP_URL), settings.get(FROM),
                settings.getInt("dangan.mail.max-attachment-mb", 20) * 1024L * 1024L,
                Math.max(1, settings.getInt("dangan.mail.batch-size", 100)),
                Math.max(1, settings.getInt("dangan.mail.smtp-connections", 8)));
    }

    /** True when every setting the source needs is there. */
    public boolean enabled() {
        return missing().isEmpty();
    }

    /** True when nothing at all is set: the source is simply not used. */
    boolean unused() {
        return imapUrl == null && smtpUrl == null && from == null;
    }

    /** The keys (with their environment variables) that must still be set to switch the source on. */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (imapUrl == null) missing.add(IMAP_URL + " (" + Settings.environmentName(IMAP_URL) + ")");
        if (smtpUrl == null) missing.add(SMTP_URL + " (" + Settings.environmentName(SMTP_URL) + ")");
        if (from == null) missing.add(FROM + " (" + Settings.environmentName(FROM) + ")");
        return missing;
    }
}
