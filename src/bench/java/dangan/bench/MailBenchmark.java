package dangan.bench;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dangan.app.DanganService;
import dangan.config.Settings;
import dangan.mail.MailReplies;
import dangan.mail.Mailbox;
import dangan.mail.Reply;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Mail intake at volume (issue 14: 1,000 guest-history mails, bodies and small attachments, filed
 * in ≤ 30 s through GreenMail, replies included). Starts a GreenMail IMAP/SMTP server and a fresh
 * Dangan reading its mailbox, delivers N mails (default 1,000: half with the guest's history in the
 * body, half with a small CSV attachment of three guests) and times from the first delivery until
 * every mail is filed (its ingest done) and every sender has its reply. The floor, in the same run:
 * GreenMail alone doing the mailbox work as Dangan does it — the same mails listed, fetched whole and
 * moved a batch at a time, and as many replies sent over as many kept SMTP connections — without filing.
 * The run stops after a time limit (default 90 s after the last delivery) and then reports the rate reached and the time 1,000 mails would take.
 * Run with {@code bench/mail.sh [mails] [limit seconds]}.
 */
public final class MailBenchmark {

    private static final String ADDRESS = "dangan@localhost";
    private static final String PASSWORD = "secret";

    private MailBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, MailBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int mails = (int) Benchmark.count(args, 0, 1_000);
        // the run stops after this many seconds even when not every mail is filed: it then reports the rate and what
        // 1,000 mails would take at that rate (the benchmark is re-run at the end of a session: about 3 minutes in all)
        long limitSeconds = Benchmark.count(args, 1, 90);
        GreenMail mail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        mail.setUser(ADDRESS, ADDRESS, PASSWORD);
        mail.start();
        Path work = Benchmark.workDir("dangan-mail-bench-");
        Map<String, String> mailbox = new HashMap<>();
        mailbox.put("dangan.imap.url", "imap://127.0.0.1:" + mail.getImap().getPort());
        mailbox.put("dangan.imap.user", ADDRESS);
        mailbox.put("dangan.imap.password", PASSWORD);
        mailbox.put("dangan.smtp.url", "smtp://127.0.0.1:" + mail.getSmtp().getPort());
        mailbox.put("dangan.smtp.user", ADDRESS);
        mailbox.put("dangan.smtp.password", PASSWORD);
        mailbox.put("dangan.mail.from", "archive@dangan.example");
        mailbox.put("dangan.mail.poll-ms", "200");
        Settings settings = Benchmark.freshService(work, mailbox);
        Session session = Session.getInstance(new Properties());
        // the mails are in the mailbox before Dangan starts: the time runs from its start to the last reply
        long delivering = System.nanoTime();
        for (int i = 0; i < mails; i++) {
            mail.getUserManager().getUserByEmail(ADDRESS).deliver(guestHistory(session, i));
        }
        double delivered = seconds(delivering);
        try (DanganService service = DanganService.start(settings)) {
            long started = System.nanoTime();
            long filed = 0;
            long replies = 0;
            long limit = System.nanoTime() + limitSeconds * 1_000_000_000L;
            while ((filed < mails || replies < mails) && System.nanoTime() < limit) {
                Thread.sleep(100);
                filed = Benchmark.number(service, "select count(*) from ingest where source_type = 'mail' and status = 'done'");
                replies = Arrays.stream(mail.getReceivedMessages()).filter(MailBenchmark::toAGuest).count();
            }
            double took = seconds(started);
            String outcome = outcome(service);
            int answered = (int) Math.min(filed, replies);
            double baseline = mailboxAlone(mail, settings, answered);
            System.out.println();
            System.out.printf("mails                       %,d (half body lines, half a 3-line CSV attachment); delivered before the start in %.1f s%n",
                    mails, delivered);
            System.out.printf("dangan: started → every mail filed and answered   %.1f s  [%,d filed, %,d replies; %s]%n",
                    took, filed, replies, outcome);
            System.out.printf("filing (ingests' own time, summed)            %.1f s%n", filing(service));
            System.out.printf("floor: GreenMail alone — the same mails listed, fetched whole and moved a batch at a time, as many replies"
                    + " over %s SMTP connections, no filing   %.1f s%n", settings.get("dangan.mail.smtp-connections", "8"), baseline);
            System.out.printf("ratio dangan / floor        %.2f×%n", took / baseline);
            double perMail = took / Math.max(1, answered);
            System.out.printf("per mail                    %.0f ms (floor %.0f ms): 1,000 mails would take %.0f s%s; machine load average %.1f%n",
                    perMail * 1000, baseline / Math.max(1, answered) * 1000, perMail * 1000,
                    answered < mails ? " (stopped after " + limitSeconds + " s with " + answered + " of " + mails + " answered)" : "",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.printf("target                      ≤ 30 s for 1,000 mails: %s%n",
                    filed == mails && replies >= mails && took <= 30 * mails / 1000.0 ? "met" : "not met");
        } finally {
            mail.stop();
        }
    }

    /** Mail i: a guest's history in the body, or (odd i) a small CSV of three guests attached. */
    private static MimeMessage guestHistory(Session session, int i) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("guest" + i + "@example.cn"));
        m.setRecipients(Message.RecipientType.TO, ADDRESS);
        m.setSubject("客史 " + i, "UTF-8");
        String mobile = String.format("135%08d", i * 3);
        if (i % 2 == 0) {
            m.setText("您好，\n\n姓名: 宾客" + i + "\n手机：" + mobile + "\n偏好: 靠窗座位\n过敏: 花生\n\n谢谢\n-- \n前台 小李\n", "UTF-8");
        } else {
            MimeBodyPart text = new MimeBodyPart();
            text.setText("附件是今天的客史。", "UTF-8");
            String csv = "姓名,手机,偏好\n宾客" + i + "," + mobile + ",安静房间\n宾客" + i + "乙," + String.format("135%08d", i * 3 + 1)
                    + ",\n宾客" + i + "丙," + String.format("135%08d", i * 3 + 2) + ",无烟\n";
            MimeBodyPart attachment = new MimeBodyPart();
            attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(csv.getBytes(StandardCharsets.UTF_8), "text/csv")));
            attachment.setFileName("客史-" + i + ".csv");
            attachment.setDisposition(MimeBodyPart.ATTACHMENT);
            MimeMultipart multipart = new MimeMultipart();
            multipart.addBodyPart(text);
            multipart.addBodyPart(attachment);
            m.setContent(multipart);
        }
        m.saveChanges();
        return m;
    }

    /**
     * The floor: the mailbox work alone, as Dangan does it but without filing — the answered mails listed, fetched
     * whole and moved a batch at a time, and as many replies sent over as many kept SMTP connections.
     */
    private static double mailboxAlone(GreenMail mail, Settings settings, int mails) throws Exception {
        int batch = settings.getInt("dangan.mail.batch-size", 100);
        int connections = settings.getInt("dangan.mail.smtp-connections", 8);
        long started = System.nanoTime();
        int read = 0;
        try (Mailbox mailbox = new Mailbox("imap://127.0.0.1:" + mail.getImap().getPort(), ADDRESS, PASSWORD,
                settings.require("dangan.mail.folder.processed"));
             MailReplies replies = new MailReplies("smtp://127.0.0.1:" + mail.getSmtp().getPort(), ADDRESS, PASSWORD,
                     "archive@dangan.example", connections, dangan.i18n.Messages.of(settings))) {
            List<Reply> answers = new ArrayList<>();
            while (read < mails) {
                List<Mailbox.Listed> listed = mailbox.list();
                if (listed.isEmpty()) break;
                List<Mailbox.Listed> take = listed.subList(0, Math.min(batch, Math.min(listed.size(), mails - read)));
                for (Mailbox.Fetched f : mailbox.fetch(take)) {
                    answers.add(new Reply(false, new InternetAddress("floor" + read + "@example.cn"), "Re: " + f.mail().getSubject(),
                            "已收到。\n".repeat(10), f.key()));
                    read++;
                }
                mailbox.move(take.stream().map(Mailbox.Listed::uid).toList(), "Floor-Moved");
                mailbox.endPoll();
            }
            long sent = replies.send(answers).stream().filter(s -> s == MailReplies.Sent.SENT).count();
            if (read < mails || sent < mails) {
                throw new IllegalStateException("the floor read " + read + " and answered " + sent + " of " + mails + " mails");
            }
        }
        return seconds(started);
    }

    private static boolean toAGuest(MimeMessage m) {
        try {
            return m.getAllRecipients() != null && m.getAllRecipients()[0].toString().startsWith("guest");
        } catch (Exception e) {
            return false;
        }
    }

    private static double filing(DanganService service) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(extract(epoch from sum(finished_at - started_at)), 0) from ingest"
                     + " where source_type = 'mail'")) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    private static String outcome(DanganService service) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select coalesce(sum(rows_new), 0), coalesce(sum(rows_rejected), 0),"
                     + " count(*) filter (where status <> 'done') from ingest where source_type = 'mail'")) {
            rs.next();
            return String.format("%,d new archives, %,d lines rejected, %,d ingests not done", rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
