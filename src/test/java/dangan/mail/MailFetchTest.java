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
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.MailMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mail route's first step (issue 14: mail at volume): a mail is fetched whole from a real IMAP server
 * (GreenMail) and read from that copy — its text and attachment the same, the server's copy unread and still
 * the one the consumer moves — while a mail above the limit stays on the server, read part by part.
 */
@Tag("fast")
class MailFetchTest {

    @RegisterExtension
    static final GreenMailExtension MAIL = TestMailbox.server();

    @Test
    void aMailIsFetchedWholeAndTheServersCopyStaysUnread() throws Exception {
        Session session = Session.getInstance(new Properties());
        TestMailbox.deliver(MAIL, mail(session, "客史 小", "姓名,手机\n宾客,13500000001\n".getBytes(StandardCharsets.UTF_8)));
        byte[] big = new byte[(int) MailIntake.WHOLE_FETCH_BYTES + 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        TestMailbox.deliver(MAIL, mail(session, "客史 大", big));

        Store store = session.getStore("imap");
        store.connect("127.0.0.1", MAIL.getImap().getPort(), TestMailbox.ADDRESS, TestMailbox.PASSWORD);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message small = inbox.getMessage(1);
            Message large = inbox.getMessage(2);
            Exchange first = exchange(camel, small);
            Exchange second = exchange(camel, large);

            MailIntake.fetch(first);
            MailIntake.fetch(second);

            Message read = MailIntake.mail(first);
            assertThat(read).as("read from the copy fetched whole").isNotInstanceOf(IMAPMessage.class);
            assertThat(first.getIn(MailMessage.class).getOriginalMessage()).as("the consumer moves the server's message").isSameAs(small);
            assertThat(read.getSubject()).isEqualTo("客史 小");
            MimeMultipart parts = (MimeMultipart) read.getContent();
            assertThat(parts.getBodyPart(0).getContent()).isEqualTo("附件是今天的客史。");
            assertThat(new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("姓名,手机\n宾客,13500000001\n");
            assertThat(MailIntake.mail(second)).as("above the limit: read part by part on the server").isSameAs(large);

            inbox.close(false);
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessage(1).isSet(Flags.Flag.SEEN)).as("fetching it whole did not mark it read").isFalse();
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    private static Exchange exchange(DefaultCamelContext camel, Message mail) {
        ((IMAPMessage) mail).setPeek(true); // as the consumer does (peek: true in routes/mail.yaml)
        Exchange exchange = new DefaultExchange(camel);
        exchange.setIn(new MailMessage(exchange, mail, false));
        return exchange;
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
