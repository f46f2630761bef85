package dangan.mail;

import dangan.i18n.Messages;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the replies of a batch, after its filings are committed, over up to {@code connections} SMTP
 * connections kept open from batch to batch (issue 14: mail at volume). A reply costs a few command
 * round trips; on a server that answers each one late (GreenMail here: about 40 ms each) one connection
 * sends a few replies a second, so the batch's replies are spread over the connections and sent side by
 * side. A kept connection the server has closed meanwhile is opened again once; a reply the server
 * refuses for its address is not sent again (the mail counts as answered); any other failure leaves the
 * mail unanswered, and it is taken again.
 */
public final class MailReplies implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MailReplies.class);

    /** What became of one reply. */
    public enum Sent { SENT, REFUSED, FAILED }

    private final MailServer server;
    private final String user;
    private final String password;
    private final String from;
    private final int connections;
    private final ConcurrentLinkedDeque<Transport> idle = new ConcurrentLinkedDeque<>();
    private final ExecutorService senders;

    private final Messages messages;

    public MailReplies(String url, String user, String password, String from, int connections, Messages messages) {
        this.messages = messages;
        this.server = MailServer.of(url, "dangan.smtp.url", "smtp", Map.of("auth", String.valueOf(user != null)));
        this.user = user;
        this.password = password;
        this.from = from;
        this.connections = connections;
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(connections, r -> {
            Thread t = new Thread(r, "dangan-mail-reply-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Sends the replies (none with a null {@code to}); the outcomes in the same order. */
    public List<Sent> send(List<Reply> replies) throws InterruptedException {
        Sent[] sent = new Sent[replies.size()];
        int lanes = Math.min(connections, replies.size());
        List<Future<?>> running = new ArrayList<>();
        for (int lane = 0; lane < lanes; lane++) {
            int first = lane;
            running.add(senders.submit(() -> lane(replies, first, lanes, sent)));
        }
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                LOG.warn(messages.text("log.mail.replies-failed", "problem", SafeText.rootMessage(e)));
            }
        }
        return Arrays.stream(sent).map(s -> s == null ? Sent.FAILED : s).toList();
    }

    /** Replies first, first + step, … over one connection. */
    private void lane(List<Reply> replies, int first, int step, Sent[] sent) {
        Transport transport = idle.poll();
        try {
            for (int i = first; i < replies.size(); i += step) {
                Reply reply = replies.get(i);
                MimeMessage message;
                try {
                    message = message(reply);
                } catch (MessagingException e) {
                    LOG.warn(messages.text("log.mail.reply-unwritable", "to", String.valueOf(reply.to()), "problem", SafeText.rootMessage(e)));
                    sent[i] = Sent.REFUSED;
                    continue;
                }
                for (int attempt = 1; sent[i] == null; attempt++) {
                    try {
                        if (transport == null || attempt > 1) transport = reconnect(transport);
                        transport.sendMessage(message, message.getAllRecipients());
                        sent[i] = Sent.SENT;
                    } catch (SendFailedException e) {
                        if (e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0) {
                            LOG.warn(messages.text("log.mail.reply-refused", "to", String.valueOf(reply.to()), "problem", SafeText.rootMessage(e)));
                            sent[i] = Sent.REFUSED;
                        } else if (attempt >= 2) {
                            sent[i] = failed(reply, e);
                        }
                    } catch (MessagingException e) {
                        if (attempt >= 2) sent[i] = failed(reply, e); // a kept connection closed by the server: once more on a new one
                    }
                }
                if (sent[i] == Sent.FAILED) break; // the server is away: the lane's other replies wait for the next poll
            }
        } finally {
            if (transport != null && transport.isConnected()) idle.offer(transport); else closeQuietly(transport);
        }
    }

    private Sent failed(Reply reply, Exception e) {
        LOG.warn(messages.text("log.mail.reply-not-sent", "to", String.valueOf(reply.to()), "problem", SafeText.rootMessage(e)));
        return Sent.FAILED;
    }

    private Transport reconnect(Transport old) throws MessagingException {
        closeQuietly(old);
        Transport transport = server.session().getTransport(server.protocol());
        transport.connect(server.host(), server.port(), user, password);
        return transport;
    }

    private MimeMessage message(Reply reply) throws MessagingException {
        MimeMessage m = new MimeMessage(server.session());
        m.setFrom(new InternetAddress(from));
        m.setRecipient(Message.RecipientType.TO, reply.to());
        m.setSubject(reply.subject(), "UTF-8");
        m.setText(reply.text(), "UTF-8");
        if (reply.inReplyTo() != null) {
            m.setHeader("In-Reply-To", reply.inReplyTo());
            m.setHeader("References", reply.inReplyTo());
        }
        m.saveChanges();
        return m;
    }

    private static void closeQuietly(Transport transport) {
        if (transport == null) return;
        try {
            transport.close();
        } catch (MessagingException e) {
            LOG.debug("Closing an SMTP connection: {}", e.getMessage());
        }
    }

    /** Closes the kept connections and the senders (at stop). */
    @Override
    public void close() {
        senders.shutdownNow();
        for (Transport t; (t = idle.poll()) != null; ) closeQuietly(t);
    }
}
