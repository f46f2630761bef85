package dangan.mail;

import jakarta.mail.Session;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A mail server as its setting names it ({@code imap://host:port}, {@code smtps://…}): the protocol, host and port,
 * and a Jakarta Mail session with Dangan's timeouts (30 s to connect, to read and to write) and the caller's own
 * properties ({@code mail.<protocol>.<name>}). The mailbox ({@link Mailbox}) and the replies ({@link MailReplies}) use it.
 */
record MailServer(String protocol, String host, int port, Session session) {

    private static final int TIMEOUT_MS = 30_000;

    /** The server of {@code url}, the value of {@code setting}; {@code plain} is its protocol ("imap", "smtp"), its secure form adds "s". */
    static MailServer of(String url, String setting, String plain, Map<String, String> properties) {
        URI uri = URI.create(url);
        String protocol = uri.getScheme() == null ? plain : uri.getScheme().toLowerCase();
        if (!protocol.equals(plain) && !protocol.equals(plain + "s")) {
            throw dangan.i18n.ConfigurationException.of("config.mail.protocol", "key", setting, "plain", plain, "protocol", protocol);
        }
        Properties p = new Properties();
        for (String timeout : List.of("connectiontimeout", "timeout", "writetimeout")) {
            p.setProperty("mail." + protocol + "." + timeout, String.valueOf(TIMEOUT_MS));
        }
        properties.forEach((name, value) -> p.setProperty("mail." + protocol + "." + name, value));
        return new MailServer(protocol, uri.getHost(), uri.getPort(), Session.getInstance(p));
    }
}
