package dangan.retention;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import dangan.support.TestMailbox;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** A customer's deletion request by mail (D-31): filed at once as a proposal, the sender told. */
@Tag("service")
class MailDeletionRequestTest {

    @RegisterExtension
    static GreenMailExtension mail = TestMailbox.server();

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> s = new HashMap<>(TestMailbox.settings(mail));
        s.put("dangan.db.url", TestDatabase.freshDatabase());
        s.put("dangan.db.user", "postgres");
        dangan = RunningService.start(home, s);
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void aMailNamingTheMobileFilesADeletionRequest() throws Exception {
        dangan.drop("guests.csv", "姓名,手机,消费金额,消费日期\n邮件删除甲,13912340011,100,2026-05-01\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("guests.csv");
        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = '13912340011'").get("archive_no");

        deliver(message("kehu@example.cn", "删除申请", "您好，\n请删除我的档案。手机：139 1234 0011\n谢谢"));

        String reply = awaitReply("kehu@example.cn");
        assertThat(reply).contains("删除申请已受理").contains("您删除档案 " + archiveNo + " 的申请已受理（申请 #").contains("这是一封自动回复");
        Map<String, Object> request = dangan.row("select id, kind, received_via, received_by, status from subject_request where archive_no = ?", archiveNo);
        assertThat(request).containsEntry("kind", "deletion").containsEntry("received_via", "mail")
                .containsEntry("received_by", "system:mail").containsEntry("status", "open");
        assertThat(dangan.row("select p.reason, p.filed_by, l.status, l.subject_request_id from destruction_proposal p"
                + " join destruction_proposal_line l on l.proposal_id = p.id where l.archive_no = ?", archiveNo))
                .containsEntry("reason", "customer-request").containsEntry("filed_by", "system:mail")
                .containsEntry("status", "pending").containsEntry("subject_request_id", request.get("id"));
        // filed, not destroyed; and not read as guest history
        assertThat(dangan.count("select count(*) from customer where archive_no = ?", archiveNo)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from ingest where source_type = 'mail'")).isZero();

        // the customer answers the reply: the request is open already, nothing new is filed
        deliver(message("kehu2@example.cn", "回复：删除申请 — Dangan：删除申请已受理", "档案 " + archiveNo + " 请尽快"));
        assertThat(awaitReply("kehu2@example.cn")).contains("档案 " + archiveNo + " 的删除申请已在处理中");
        assertThat(dangan.count("select count(*) from subject_request where archive_no = ?", archiveNo)).isEqualTo(1);
    }

    @Test
    void aMailNamingNoKnownArchiveIsAnsweredWithWhy() throws Exception {
        deliver(message("fremder@example.cn", "Deletion request", "Please delete archive 209912999, mobile 13700000000."));

        String reply = awaitReply("fremder@example.cn");
        assertThat(reply).contains("删除申请未受理").contains("请在邮件中写明档案号");
        assertThat(dangan.count("select count(*) from subject_request where received_via = 'mail' and archive_no = '209912999'")).isZero();
    }

    static MimeMessage message(String from, String subject, String text) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress(from));
        m.setRecipients(Message.RecipientType.TO, TestMailbox.ADDRESS);
        m.setSubject(subject, "UTF-8");
        m.setText(text, "UTF-8");
        return m;
    }

    static void deliver(MimeMessage m) throws Exception {
        TestMailbox.deliver(mail, m);
    }

    static String awaitReply(String address) throws Exception {
        MimeMessage m = TestMailbox.awaitReply(mail, address);
        return m.getSubject() + "\n" + m.getContent();
    }
}
