package dangan.mail;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import dangan.support.TestMailbox;
import jakarta.activation.DataHandler;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** A mail rejected as hostile is an expected outcome: one warning naming it and why, no stack trace. */
@Tag("service")
class HostileMailLogTest {

    @RegisterExtension
    static GreenMailExtension mail = TestMailbox.server();

    @TempDir
    Path home;

    @Test
    void anAttachmentWithFolderPartsIsOneWarningWithoutAStackTrace() throws Exception {
        Map<String, String> settings = new HashMap<>(TestMailbox.settings(mail));
        settings.put("dangan.db.url", TestDatabase.freshDatabase());
        settings.put("dangan.db.user", "postgres");
        try (RunningService dangan = RunningService.start(home, settings); LogCapture log = LogCapture.start()) {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
            m.setFrom(new InternetAddress("hostile@example.cn"));
            m.setRecipients(MimeMessage.RecipientType.TO, TestMailbox.ADDRESS);
            m.setSubject("passwords of the log test", "UTF-8");
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource("姓名,手机\n李四,13900139000\n".getBytes(StandardCharsets.UTF_8),
                    "text/csv")));
            part.setFileName("../../etc/passwd.csv");
            m.setContent(new MimeMultipart(part));
            TestMailbox.deliver(mail, m);

            // the reply goes out after the mail was handled (and its line logged)
            assertThat((String) TestMailbox.awaitReply(mail, "hostile@example.cn").getContent()).contains("文件名含有文件夹部分");

            // the mail routes' threads (of every service of the parallel test classes: none logs a stack trace)
            List<ILoggingEvent> lines = log.byThread("scheduler://mail");
            assertThat(lines).noneMatch(e -> e.getThrowableProxy() != null);
            List<ILoggingEvent> thisMail = lines.stream().filter(e -> e.getFormattedMessage().contains("passwords of the log test")).toList();
            assertThat(LogCapture.warnings(thisMail)).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("passwd.csv").contains("文件名含有文件夹部分"));
            assertThat(dangan.count("select count(*) from customer where mobile = ?", "13900139000")).isZero();
        }
    }
}
