package dangan.mail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;

import java.util.Date;

/** The envelope facts of one received mail: who to answer, what it was called, its Message-ID. */
record Letter(String messageId, String subject, InternetAddress replyTo, Date sent, dangan.i18n.Localized noReplyBecause) {

    static Letter of(Message mail, String ourAddress) throws MessagingException {
        String messageId = first(mail, "Message-ID");
        String subject;
        try {
            subject = mail.getSubject();
        } catch (MessagingException e) {
            subject = first(mail, "Subject");
        }
        InternetAddress to = null;
        dangan.i18n.Localized noReply = null;
        try {
            Address[] replyTo = mail.getReplyTo();
            if (replyTo != null) {
                for (Address a : replyTo) {
                    if (a instanceof InternetAddress ia && ia.getAddress() != null && ia.getAddress().contains("@")) {
                        to = ia;
                        break;
                    }
                }
            }
        } catch (MessagingException e) {
            noReply = dangan.i18n.Localized.of("log.mail.no-reply.unreadable", "problem", SafeText.oneLine(String.valueOf(e.getMessage()), 120));
        }
        if (to == null && noReply == null) noReply = dangan.i18n.Localized.of("log.mail.no-reply.no-sender");
        String auto = first(mail, "Auto-Submitted");
        String precedence = first(mail, "Precedence");
        if (auto != null && !auto.strip().equalsIgnoreCase("no")) noReply = dangan.i18n.Localized.of("log.mail.no-reply.automatic", "header", SafeText.oneLine(auto, 40));
        else if (precedence != null && precedence.strip().toLowerCase().matches("bulk|junk|list")) noReply = dangan.i18n.Localized.of("log.mail.no-reply.bulk");
        else if (to != null && to.getAddress().equalsIgnoreCase(ourAddress)) noReply = dangan.i18n.Localized.of("log.mail.no-reply.ours");
        return new Letter(messageId == null ? null : SafeText.oneLine(messageId, 300),
                subject == null ? "" : SafeText.oneLine(subject, 200), noReply == null ? to : null, mail.getSentDate(), noReply);
    }

    private static String first(Message mail, String header) throws MessagingException {
        String[] values = mail.getHeader(header);
        return values == null || values.length == 0 ? null : values[0];
    }

    /** How logs and the ingest ledger name the mail, in the language of {@code m}. */
    String name(dangan.i18n.Messages m) {
        String s = subject.isEmpty() ? m.text("mail.reply.no-subject") : SafeText.oneLine(subject, 80);
        return s + " " + (messageId == null ? m.text("mail.name.no-message-id") : messageId);
    }
}
