package dangan.mail;

import jakarta.mail.PasswordAuthentication;
import org.apache.camel.component.mail.MailAuthenticator;

/**
 * The login for the SMTP server the replies go through ({@code dangan.smtp.user},
 * {@code dangan.smtp.password}). Both empty: no login at all — an empty user would otherwise make
 * the mail client try to log in with empty credentials, which a relay without login refuses.
 */
public final class SmtpLogin extends MailAuthenticator {

    private final String user;
    private final String password;

    public SmtpLogin(String user, String password) {
        this.user = user;
        this.password = password;
    }

    @Override
    public PasswordAuthentication getPasswordAuthentication() {
        return user == null ? new PasswordAuthentication(null, null) : new PasswordAuthentication(user, password == null ? "" : password);
    }
}
