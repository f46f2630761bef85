package dangan.mail;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dangan.support.TestMailbox;
import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mailbox read a batch at a time (issue 14: mail at volume), against a real IMAP server (GreenMail): the
 * inbox listed with each mail's key, the batch fetched whole in one command and read from that copy — its text
 * and attachment the same, the server's copy unread — a mail above the limit left on the server and read part by
 * part, and the batch moved in one command.
 */
@Tag("fast")
class MailFetchTest {

    @RegisterExtension
    static final GreenMailExtension MAIL = TestMailbox.server();

    @Test
    void aBatchIsFetchedWholeAndMovedAndTheServersCopiesStayUnread() throws Exception {
        Session session = Session.getInstance(new Properties());
        String smallId = TestMailbox.deliver(MAIL, mail(session, "客史 小", "姓名,手机\n宾客,13500000001\n".getBytes(StandardCharsets.UTF_8)));
        byte[] big = new byte[(int) Mailbox.WHOLE_FETCH_BYTES + 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        String largeId = TestMailbox.deliver(MAIL, mail(session, "客史 大", big));

        try (Mailbox mailbox = new Mailbox("imap://127.0.0.1:" + MAIL.getImap().getPort(), TestMailbox.ADDRESS, TestMailbox.PASSWORD, "INBOX")) {
            List<Mailbox.Listed> listed = mailbox.list();
            assertThat(listed).extracting(Mailbox.Listed::key).containsExactly(smallId, largeId);
            List<Mailbox.Fetched> fetched = mailbox.fetch(listed);

            Message read = fetched.get(0).mail();
            assertThat(read).as("read from the copy fetched whole").isNotInstanceOf(IMAPMessage.class);
            assertThat(read.getSubject()).isEqualTo("客史 小");
            MimeMultipart parts = (MimeMultipart) read.getContent();
            assertThat(parts.getBodyPart(0).getContent()).isEqualTo("附件是今天的客史。");
            assertThat(new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("姓名,手机\n宾客,13500000001\n");
            assertThat(fetched.get(1).mail()).as("above the limit: read part by part on the server").isInstanceOf(IMAPMessage.class);
            assertThat(fetched.get(1).mail().getSubject()).isEqualTo("客史 大");
            mailbox.endPoll();

            Store store = session.getStore("imap");
            store.connect("127.0.0.1", MAIL.getImap().getPort(), TestMailbox.ADDRESS, TestMailbox.PASSWORD);
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.getMessage(1).isSet(Flags.Flag.SEEN)).as("fetching it whole did not mark it read").isFalse();
                assertThat(inbox.getMessage(2).isSet(Flags.Flag.SEEN)).isFalse();
                inbox.close(false);

                mailbox.list();
                mailbox.move(listed.stream().map(Mailbox.Listed::uid).toList(), "Dangan-Processed");
                mailbox.endPoll();
                assertThat(mailbox.list()).as("the inbox is empty after the move").isEmpty();
                Folder processed = store.getFolder("Dangan-Processed");
                processed.open(Folder.READ_ONLY);
                assertThat(processed.getMessageCount()).isEqualTo(2);
                processed.close(false);
            } finally {
                store.close();
            }
        }
    }

    private static MimeMessage mail(Session session, String subject, byte[] csv) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("guest@example.cn"));
        m.setRecipients(Message.RecipientType.TO, TestMailbox.ADDRESS);
        m.setSubject(subject, "UTF-8");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("附件是今天的客史。", "UTF-8");
        MimeBodyPart attachment = new MimeBodyPart();
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(csv, "text/csv; charset=UTF-8")));
        attachment.setFileName("guests.csv");
        MimeMultipart multipart = new MimeMultipart();
        multipart.addBodyPart(text);
        multipart.addBodyPart(attachment);
        m.setContent(multipart);
        return m;
    }
}
