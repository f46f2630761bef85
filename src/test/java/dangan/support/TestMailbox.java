package dangan.support;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/** Dangan's intake mailbox on a real GreenMail IMAP/SMTP server, and what tests do with it. */
public final class TestMailbox {

    public static final String ADDRESS = "dangan@localhost";
    public static final String PASSWORD = "secret";
    public static final String FROM = "archive@dangan.example";

    private TestMailbox() {
    }

    /** The server, one per test class (register it with {@code @RegisterExtension}). */
    public static GreenMailExtension server() {
        return new GreenMailExtension(patient(ServerSetupTest.SMTP_IMAP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser(ADDRESS, ADDRESS, PASSWORD))
                .withPerMethodLifecycle(false);
    }

    /**
     * The given servers on free ports, each allowed 30 s to start: GreenMail's own 2 s failed a class once on a
     * machine at load 43.
     */
    public static ServerSetup[] patient(ServerSetup... setups) {
        ServerSetup[] copies = ServerSetup.dynamicPort(setups);
        for (ServerSetup setup : copies) {
            setup.setServerStartupTimeout(30_000);
        }
        return copies;
    }

    /** The service's IMAP and SMTP settings for this server, polling every 200 ms. */
    public static Map<String, String> settings(GreenMailExtension mail) {
        Map<String, String> s = new HashMap<>();
        s.put("dangan.imap.url", "imap://127.0.0.1:" + mail.getImap().getPort());
        s.put("dangan.imap.user", ADDRESS);
        s.put("dangan.imap.password", PASSWORD);
        s.putAll(smtp(mail));
        s.put("dangan.smtp.user", ADDRESS);
        s.put("dangan.smtp.password", PASSWORD);
        s.put("dangan.mail.poll-ms", "200");
        return s;
    }

    /** The service's SMTP settings for this server (no login): where its mails go, and from whom. */
    public static Map<String, String> smtp(GreenMailExtension mail) {
        return Map.of("dangan.smtp.url", "smtp://127.0.0.1:" + mail.getSmtp().getPort(), "dangan.mail.from", FROM);
    }

    /** Puts the message into Dangan's inbox; returns its Message-ID (a raw message keeps its own). */
    public static String deliver(GreenMailExtension mail, MimeMessage m) throws Exception {
        if (m.getHeader("Message-ID") == null) m.saveChanges();
        String id = m.getMessageID();
        mail.getUserManager().getUserByEmail(ADDRESS).deliver(m);
        return id;
    }

    /** The first message the server received for this address, waiting up to 30 s. */
    public static MimeMessage awaitReply(GreenMailExtension mail, String address) {
        return await("a mail to " + address).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> firstTo(mail, address), Objects::nonNull);
    }

    /** How many mails the server received for this address (replies are counted, not awaited). */
    public static long repliesTo(GreenMailExtension mail, String address) throws Exception {
        long n = 0;
        for (MimeMessage m : mail.getReceivedMessages()) {
            if (m.getAllRecipients() != null && Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(address))) n++;
        }
        return n;
    }

    /** The Message-IDs in a folder of Dangan's mailbox (read over IMAP; none when the folder does not exist). */
    public static List<String> messageIds(GreenMailExtension mail, String folderName) throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", mail.getImap().getPort(), ADDRESS, PASSWORD);
        try {
            Folder folder = store.getFolder(folderName);
            List<String> ids = new ArrayList<>();
            if (!folder.exists()) return ids;
            folder.open(Folder.READ_ONLY);
            for (Message m : folder.getMessages()) {
                String[] id = m.getHeader("Message-ID");
                if (id != null && !m.isSet(Flags.Flag.DELETED)) ids.add(id[0]);
            }
            folder.close(false);
            return ids;
        } finally {
            store.close();
        }
    }

    private static MimeMessage firstTo(GreenMailExtension mail, String address) throws Exception {
        for (MimeMessage m : mail.getReceivedMessages()) {
            if (m.getAllRecipients() != null && Arrays.stream(m.getAllRecipients()).anyMatch(a -> a.toString().equals(address))) {
                return m;
            }
        }
        return null;
    }
}
