package dangan.mail;

import jakarta.mail.internet.InternetAddress;

/**
 * What became of one mail, as the steps of routes/mail.yaml pass it on: whether it moves to the failed folder,
 * and the answer to its sender ({@code to} is null when no reply is sent: no sender address, an automatic or
 * bulk mail, or one from Dangan's own address).
 */
public record Reply(boolean failed, InternetAddress to, String subject, String text, String inReplyTo) {

    /** The reply to the letter's sender (or none, when the letter has nobody to answer). */
    static Reply to(Letter letter, boolean failed, String subject, String text) {
        return new Reply(failed, letter.replyTo(), subject, text, letter.messageId());
    }
}
