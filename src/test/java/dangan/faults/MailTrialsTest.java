package dangan.faults;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dangan.flow.Flow;
import dangan.support.CuttingProxy;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import dangan.support.TestMailbox;
import dangan.support.Trials;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mail under faults (issue 15): the service reads a real IMAP server (GreenMail) through a proxy that cuts the
 * connection at a moment given by the bytes on the wire — in the middle of a mail's text while the batch is
 * fetched, or as the service asks the server to move the batch to the processed folder. Each mail still ends
 * filed once, answered once and moved.
 */
@Tag("faults")
class MailTrialsTest {

    @RegisterExtension
    static GreenMailExtension mail = TestMailbox.server();

    @TempDir
    static Path home;
    static CuttingProxy proxy;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        proxy = new CuttingProxy(mail.getImap().getPort());
        Map<String, String> s = new HashMap<>(TestMailbox.settings(mail));
        s.put("dangan.imap.url", "imap://127.0.0.1:" + proxy.port());
        s.put("dangan.db.url", TestDatabase.freshDatabase());
        s.put("dangan.db.user", "postgres");
        dangan = RunningService.start(home, s);
    }

    /** One cut, and the mail filed, answered and moved once. */
    private static final String FILED_ONCE = "cut 1, customers 1, ingests 1 (1 done), replies 1, in processed 1, in inbox 0";

    @AfterAll
    static void stop() throws Exception {
        if (dangan != null) dangan.close();
        if (proxy != null) proxy.close();
    }

    @Test
    void theConnectionDroppedInTheMiddleOfAMailLosesNothingAndFilesItOnce() throws Exception {
        int cutsBefore = proxy.cuts();
        proxy.arm(CuttingProxy.Cut.serverSent("BODY[] {", 400)); // 400 bytes into the mail's text, in the batch's fetch
        String id = TestMailbox.deliver(mail, guest("trial-drop@example.cn", "冯一", "13811110001"));

        String observed = settle(id, "trial-drop@example.cn", "13811110001", cutsBefore);
        boolean held = observed.equals(FILED_ONCE);
        Trials.record("mail: the IMAP connection dropped mid-message", "400 bytes into the mail's text, in the batch's fetch",
                "taken again by a later poll: filed once, answered once, moved", observed, held);
        assertThat(observed).isEqualTo(FILED_ONCE);
    }

    @Test
    void aMailWhoseMoveFailedIsMovedByTheNextPollAndNotAnsweredTwice() throws Exception {
        int cutsBefore = proxy.cuts();
        proxy.arm(CuttingProxy.Cut.clientSends(" (UID )?(MOVE|COPY) ")); // the move (or the copy of one) never reaches the server
        String id = TestMailbox.deliver(mail, guest("trial-move@example.cn", "冯二", "13811110002"));

        String observed = settle(id, "trial-move@example.cn", "13811110002", cutsBefore);
        boolean held = observed.equals(FILED_ONCE);
        Trials.record("mail: the move to the processed folder failed", "the IMAP MOVE of the answered batch",
                "the next poll recognises it as answered and only moves it: one reply, one filing", observed, held);
        assertThat(observed).isEqualTo(FILED_ONCE);
    }

    /** Waits until the mail is in the processed folder and a later poll found nothing to take; says what became of it. */
    private static String settle(String id, String guest, String mobile, int cutsBefore) throws Exception {
        await(id + " in the processed folder").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> TestMailbox.messageIds(mail, "Dangan-Processed").contains(id));
        Flow flow = dangan.service().flows().stream().filter(f -> f instanceof dangan.mail.MailFlow).findFirst().orElseThrow();
        await("the mailbox is drained").atMost(Duration.ofSeconds(30)).until(flow::drained);
        long processed = TestMailbox.messageIds(mail, "Dangan-Processed").stream().filter(id::equals).count();
        long inbox = TestMailbox.messageIds(mail, "INBOX").stream().filter(id::equals).count();
        return "cut " + (proxy.cuts() - cutsBefore)
                + ", customers " + dangan.count("select count(*) from customer where mobile = ?", mobile)
                + ", ingests " + dangan.count("select count(*) from ingest where source_name like ?", "%" + id)
                + " (" + dangan.count("select count(*) from ingest where source_name like ? and status = 'done'", "%" + id) + " done)"
                + ", replies " + TestMailbox.repliesTo(mail, guest)
                + ", in processed " + processed + ", in inbox " + inbox;
    }

    /** A guest's history in the body, with enough text around it that a cut 400 bytes in falls inside the mail. */
    private static MimeMessage guest(String from, String name, String mobile) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress(from));
        m.setRecipients(Message.RecipientType.TO, TestMailbox.ADDRESS);
        m.setSubject("客史 " + name, "UTF-8");
        m.setText("您好，\n\n" + "今天的客人情况如下。".repeat(40) + "\n\n姓名: " + name + "\n手机：" + mobile + "\n偏好: 靠窗座位\n\n谢谢\n", "UTF-8");
        return m;
    }
}
