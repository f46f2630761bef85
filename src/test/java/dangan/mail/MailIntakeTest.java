package dangan.mail;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import dangan.flow.Flow;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import dangan.support.TestMailbox;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Guest-history mails end to end: real IMAP and SMTP (GreenMail), real routes, real PostgreSQL. */
@Tag("service")
class MailIntakeTest {

    static final String DANGAN = TestMailbox.ADDRESS;
    static final String PASSWORD = TestMailbox.PASSWORD;
    static final String FROM = TestMailbox.FROM;

    @RegisterExtension
    static GreenMailExtension mail = TestMailbox.server();

    @TempDir
    static Path home;
    static String database;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.freshDatabase();
        dangan = RunningService.start(home, settings());
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    static Map<String, String> settings() {
        Map<String, String> s = new HashMap<>(TestMailbox.settings(mail));
        s.put("dangan.db.url", database);
        s.put("dangan.db.user", "postgres");
        s.put("dangan.mail.max-attachment-mb", "1");
        return s;
    }

    @Test
    void bodyLinesFileACustomerWithPreferenceAndAllergy() throws Exception {
        MimeMessage m = message("guest1@example.cn", "客史 张三");
        m.setText("您好，\n\n姓名: 张三\n手机：13800138000\n偏好: 靠窗座位\n过敏: 花生\n\n谢谢\n-- \n前台 小李 电话: 0755-1234567\n",
                "UTF-8");
        String id = deliver(m);

        awaitIn("Dangan-Processed", id);
        Map<String, Object> zhang = dangan.row("select * from customer where mobile = ?", "13800138000");
        assertThat(zhang).containsEntry("name", "张三");
        assertThat(dangan.row("select detail from preference where customer_id = ?", zhang.get("id"))).containsEntry("detail", "靠窗座位");
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ? and kind = 'allergy'", zhang.get("id"))).isEqualTo(1);
        assertThat(dangan.row("select source_type, channel, status, rows_new from ingest where source_name like ?", "%" + id))
                .containsEntry("source_type", "mail").containsEntry("channel", "mail").containsEntry("status", "done")
                .containsEntry("rows_new", 1);

        String reply = awaitReply("guest1@example.cn");
        assertThat(reply).contains("邮件正文：共 1 行").contains("新建 1");
        assertThat(inbox()).doesNotContain(id);
    }

    @Test
    void gbkCsvAttachmentIsFiledAndTheReplyListsTheRejects() throws Exception {
        Charset gbk = Charset.forName("GBK");
        byte[] csv = ("姓名,手机,身份证号,过敏史,偏好\n王芳,13700137000,,海鲜,安静房间\n赵敏,12345,110105194912310021,,\n"
                + "孙丽,13600136000,,,\n").getBytes(gbk);
        MimeMessage m = message("guest2@example.cn", "Guest list");
        m.setContent(multipart(text("Please file the attached list.", "UTF-8"), attachment("客史-gbk.csv", csv, "text/csv")));
        String id = deliver(m);

        awaitIn("Dangan-Processed", id);
        assertThat(dangan.row("select status, rows_total, rows_new, rows_rejected, format, checksum from ingest where source_name = ?",
                "客史-gbk.csv")).containsEntry("status", "done").containsEntry("rows_total", 3).containsEntry("rows_new", 2)
                .containsEntry("rows_rejected", 1);
        assertThat(dangan.row("select name from customer where mobile = ?", "13700137000")).containsEntry("name", "王芳");

        String reply = awaitReply("guest2@example.cn");
        assertThat(reply).contains("客史-gbk.csv").contains("共 3 行").contains("新建 2").contains("拒收 1")
                .contains("拒收，第 3 行").contains("12345")
                .doesNotContain("110105194912310021");
        // the same attachment sent again is recognised by its content
        MimeMessage again = message("guest2@example.cn", "Guest list again");
        again.setContent(multipart(attachment("copy.csv", csv, "text/csv")));
        String againId = deliver(again);
        awaitIn("Dangan-Processed", againId);
        assertThat(dangan.row("select status from ingest where source_name = ?", "copy.csv")).containsEntry("status", "duplicate");
    }

    @Test
    void xlsxAttachmentIsFiledAndOtherAttachmentsAreNamedInTheReply() throws Exception {
        byte[] xlsx;
        try (org.apache.poi.xssf.usermodel.XSSFWorkbook book = new org.apache.poi.xssf.usermodel.XSSFWorkbook();
             java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream()) {
            org.apache.poi.ss.usermodel.Sheet sheet = book.createSheet("客史");
            String[][] rows = {{"姓名", "手机", "餐饮偏好"}, {"郑十一", "13900001111", "不吃辣"}};
            for (int r = 0; r < rows.length; r++) {
                org.apache.poi.ss.usermodel.Row row = sheet.createRow(r);
                for (int c = 0; c < rows[r].length; c++) row.createCell(c).setCellValue(rows[r][c]);
            }
            book.write(out);
            xlsx = out.toByteArray();
        }
        MimeMessage m = message("guest9@example.cn", "xlsx list");
        m.setContent(multipart(text("见附件。", "UTF-8"),
                attachment("宾客.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                attachment("logo.png", new byte[]{(byte) 0x89, 'P', 'N', 'G'}, "image/png")));
        String id = deliver(m);

        awaitIn("Dangan-Processed", id);
        assertThat(dangan.row("select name from customer where mobile = ?", "13900001111")).containsEntry("name", "郑十一");
        assertThat(awaitReply("guest9@example.cn")).contains("附件 宾客.xlsx：共 1 行（xlsx").contains("logo.png：未读取");
    }

    @Test
    void hostileMailsAreRejectedAndTheConsumerGoesOn() throws Exception {
        MimeMessage empty = message("hostile1@example.cn", "nothing here");
        empty.setText("Hello, see you tomorrow.\n", "UTF-8");
        String emptyId = deliver(empty);

        MimeMessage big = message("hostile2@example.cn", "big list");
        byte[] huge = new byte[1_500_000];
        Arrays.fill(huge, (byte) 'a');
        big.setContent(multipart(attachment("big.csv", huge, "text/csv")));
        String bigId = deliver(big);

        MimeMessage traversal = message("hostile3@example.cn", "passwords");
        traversal.setContent(multipart(attachment("../../etc/passwd.csv", "姓名,手机\n李四,13900139000\n".getBytes(StandardCharsets.UTF_8), "text/csv")));
        String traversalId = deliver(traversal);

        String charsetId = "<charset-1@example.cn>";
        deliver(raw("""
                From: hostile4@example.cn
                To: dangan@localhost
                Subject: strange
                Message-ID: %s
                MIME-Version: 1.0
                Content-Type: text/plain; charset=x-no-such-charset
                Content-Transfer-Encoding: 8bit

                姓名: 周五
                手机: 13500135000
                """.formatted(charsetId)));

        String anonymousId = "<anonymous-1@example.cn>";
        deliver(raw("""
                To: dangan@localhost
                Subject: who am I
                Message-ID: %s
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                nothing
                """.formatted(anonymousId)));

        MimeMessage good = message("guest5@example.cn", "after the storm");
        good.setText("姓名: 钱七\n手机: 13300133000\n", "UTF-8");
        String goodId = deliver(good);

        awaitIn("Dangan-Processed", goodId);
        assertThat(dangan.row("select name from customer where mobile = ?", "13300133000")).containsEntry("name", "钱七");
        for (String id : List.of(emptyId, bigId, traversalId, charsetId, anonymousId)) awaitIn("Dangan-Failed", id);
        assertThat(awaitReply("hostile1@example.cn")).contains("邮件中没有 Dangan 能读取的客户信息");
        assertThat(awaitReply("hostile2@example.cn")).contains("big.csv").contains("附件超过 1 MiB 的上限");
        assertThat(awaitReply("hostile3@example.cn")).contains("passwd.csv").contains("文件名含有文件夹部分");
        assertThat(awaitReply("hostile4@example.cn")).contains("x-no-such-charset").contains("Dangan 不认识");
        assertThat(dangan.count("select count(*) from customer where mobile in ('13900139000', '13500135000')")).isZero();
        assertThat(home.getParent().resolve("etc")).doesNotExist();
    }

    /**
     * A mail answered before a restart is not taken again after it; a mail whose claim the stopped instance still
     * held (it died in the middle of it) is released by the next start and taken at once, not after the claim timeout.
     */
    @Test
    void aTakenMailIsNotTakenAgainAfterARestartAndAGoneInstancesClaimIsReleased() throws Exception {
        MimeMessage m = message("guest6@example.cn", "once only");
        m.setText("姓名: 孙八\n手机: 13200132000\n", "UTF-8");
        String id = deliver(m);
        awaitIn("Dangan-Processed", id);
        // held by this instance (the claim carries its name) when it goes away
        String heldId = "<held-by-the-stopped-instance@example.cn>";
        dangan.rows("insert into camel_messageprocessed (processorname, messageid, createdat) values ('dangan-mail:claim', ?, now())"
                + " returning messageid", heldId);
        deliver(raw("""
                From: guest9@example.cn
                To: dangan@localhost
                Subject: held when it stopped
                Message-ID: %s
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                姓名: 郑十一
                手机: 13000130011
                """.formatted(heldId)));
        long ingests = dangan.count("select count(*) from ingest");
        dangan.close();

        // the same message (same Message-ID) lands in the inbox again, as after a move that did not happen
        mail.getUserManager().getUserByEmail(DANGAN).deliver(m);
        dangan = RunningService.start(home, settings());
        Flow flow = dangan.service().flows().stream().filter(f -> f instanceof MailFlow).findFirst().orElseThrow();
        // the gone instance's claim released at start: the mail it held is taken now, not after the claim timeout (30 min)
        awaitIn("Dangan-Processed", heldId);
        assertThat(dangan.row("select name from customer where mobile = ?", "13000130011")).containsEntry("name", "郑十一");
        await("the mailbox is drained").atMost(Duration.ofSeconds(30)).until(flow::drained);

        // recognised as answered: moved to the processed folder, neither filed nor answered again
        assertThat(inbox()).doesNotContain(id);
        assertThat(messageIds("Dangan-Processed").stream().filter(id::equals).count()).isEqualTo(2);
        assertThat(dangan.count("select count(*) from ingest")).as("one more: the released mail's").isEqualTo(ingests + 1);
        assertThat(dangan.count("select count(*) from camel_messageprocessed where messageid = ? and processorname = 'dangan-mail'", id))
                .isEqualTo(1);
        assertThat(TestMailbox.repliesTo(mail, "guest6@example.cn")).isEqualTo(1);
    }

    @Test
    void aMailClaimedByAnotherInstanceIsLeftAloneUntilItsClaimIsStale() throws Exception {
        String claimedId = "<claimed-1@example.cn>";
        dangan.rows("insert into camel_messageprocessed (processorname, messageid, createdat) values ('dangan-mail:claim', ?, now())"
                + " returning messageid", claimedId);
        deliver(raw("""
                From: guest7@example.cn
                To: dangan@localhost
                Subject: claimed elsewhere
                Message-ID: %s
                MIME-Version: 1.0
                Content-Type: text/plain; charset=UTF-8

                姓名: 周九
                手机: 13100131000
                """.formatted(claimedId)));
        MimeMessage next = message("guest8@example.cn", "next");
        next.setText("姓名: 吴十\n手机: 13000130000\n", "UTF-8");
        String nextId = deliver(next);
        awaitIn("Dangan-Processed", nextId);
        assertThat(inbox()).contains(claimedId);
        assertThat(dangan.count("select count(*) from customer where mobile = ?", "13100131000")).isZero();

        // the instance holding the claim died: after the claim timeout the mail is read after all
        dangan.rows("update camel_messageprocessed set createdat = now() - interval '2 hours' where messageid = ? returning messageid", claimedId);
        awaitIn("Dangan-Processed", claimedId);
        assertThat(dangan.row("select name from customer where mobile = ?", "13100131000")).containsEntry("name", "周九");
    }

    @Test
    void withoutSettingsTheSourceIsOffAndNothingFails(@TempDir Path otherHome) throws Exception {
        try (RunningService plain = RunningService.start(otherHome)) {
            assertThat(plain.service().camelContext().getRoute("mail")).isNull();
            assertThat(plain.service().flows().stream().allMatch(Flow::drained)).isTrue();
        }
    }

    // ---- helpers

    static MimeMessage message(String from, String subject) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        m.setFrom(new InternetAddress(from));
        m.setRecipients(Message.RecipientType.TO, DANGAN);
        m.setSubject(subject, "UTF-8");
        return m;
    }

    static MimeMessage raw(String text) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    static MimeBodyPart text(String text, String charset) throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text, charset);
        return part;
    }

    static MimeBodyPart attachment(String name, byte[] content, String type) throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, type)));
        part.setFileName(name);
        part.setDisposition(MimeBodyPart.ATTACHMENT);
        return part;
    }

    static MimeMultipart multipart(MimeBodyPart... parts) throws Exception {
        MimeMultipart multipart = new MimeMultipart();
        for (MimeBodyPart p : parts) multipart.addBodyPart(p);
        return multipart;
    }

    /** Puts the mail into Dangan's inbox and returns its Message-ID. */
    static String deliver(MimeMessage m) throws Exception {
        return TestMailbox.deliver(mail, m);
    }

    static List<String> messageIds(String folderName) throws Exception {
        return TestMailbox.messageIds(mail, folderName);
    }

    static List<String> inbox() throws Exception {
        return messageIds("INBOX");
    }

    static void awaitIn(String folder, String messageId) {
        await(messageId + " in " + folder).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> messageIds(folder).contains(messageId));
    }

    /** The text of the reply Dangan sent to the address. */
    static String awaitReply(String address) throws Exception {
        MimeMessage m = TestMailbox.awaitReply(mail, address);
        assertThat(m.getFrom()[0].toString()).isEqualTo(FROM);
        return m.getSubject() + "\n" + m.getContent();
    }
}
