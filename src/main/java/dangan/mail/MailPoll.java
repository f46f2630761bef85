package dangan.mail;

import jakarta.mail.MessagingException;
import org.apache.camel.Exchange;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The steps of routes/mail.yaml, one batch of mails at a time (issue 14: mail at volume): {@link #take} claims up
 * to {@code dangan.mail.batch-size} mails of the inbox in one transaction and fetches them whole in one command;
 * {@link #file} files each (a guest history, or a deletion request) and writes its reply; {@link #reply} sends
 * the replies after the filings' commits over kept SMTP connections; {@link #finish} records the answered mails
 * in the claim ledger and moves them, one command per folder.
 * <p>Exactly once: the ledger ({@link MailClaims}) is the truth. A mail is filed and answered only under its
 * claim; it is recorded answered before it is moved, so a mail whose move failed is found answered by the next
 * poll and only moved, never filed or answered again; a mail whose filing or reply failed is released and taken
 * again (a part already filed is then recognised by its content and not filed twice).
 */
public final class MailPoll implements Service, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MailPoll.class);

    /** One mail of a batch and what became of it. */
    static final class Taken {
        final Mailbox.Fetched mail;
        Reply reply;
        boolean answered;

        Taken(Mailbox.Fetched mail) {
            this.mail = mail;
        }
    }

    /** The mails one poll took, passed from step to step as the exchange's body. */
    public static final class Batch {
        final List<Taken> mails;

        Batch(List<Taken> mails) {
            this.mails = mails;
        }

        public boolean isEmpty() {
            return mails.isEmpty();
        }

        public int size() {
            return mails.size();
        }
    }

    private final Mailbox mailbox;
    private final MailClaims claims;
    private final MailIntake intake;
    private final MailDeletionRequest deletions;
    private final MailReplies replies;
    private final MailPollState state;
    private final int batchSize;
    private final String processedFolder;
    private final String failedFolder;
    private final dangan.i18n.Messages messages;

    MailPoll(Mailbox mailbox, MailClaims claims, MailIntake intake, MailDeletionRequest deletions, MailReplies replies,
             MailPollState state, int batchSize, String processedFolder, String failedFolder, dangan.i18n.Messages messages) {
        this.messages = messages;
        this.mailbox = mailbox;
        this.claims = claims;
        this.intake = intake;
        this.deletions = deletions;
        this.replies = replies;
        this.state = state;
        this.batchSize = batchSize;
        this.processedFolder = processedFolder;
        this.failedFolder = failedFolder;
    }

    /**
     * Lists the inbox, moves the mails the ledger knows as answered (their move had failed), claims up to a batch
     * of the others and fetches them. The scheduler polls again at once while a poll takes mails.
     */
    public Batch take(Exchange exchange) {
        Batch batch = new Batch(takeBatch());
        exchange.getIn().setHeader(Exchange.SCHEDULER_POLLED_MESSAGES, !batch.isEmpty());
        return batch;
    }

    private List<Taken> takeBatch() {
        List<Mailbox.Listed> listed;
        Map<String, MailClaims.State> known;
        try {
            listed = mailbox.list();
            known = claims.known(listed.stream().map(Mailbox.Listed::key).toList());
        } catch (Exception e) {
            return failedPoll(e, List.of());
        }
        List<Long> answeredProcessed = new ArrayList<>();
        List<Long> answeredFailed = new ArrayList<>();
        Map<String, Mailbox.Listed> candidates = new LinkedHashMap<>();
        for (Mailbox.Listed m : listed) {
            MailClaims.State s = known.get(m.key());
            if (s == MailClaims.State.ANSWERED) answeredProcessed.add(m.uid());
            else if (s == MailClaims.State.ANSWERED_FAILED) answeredFailed.add(m.uid());
            else if (s == null && candidates.size() < batchSize) candidates.putIfAbsent(m.key(), m);
        }
        List<String> claimed = List.of();
        try {
            moveAnsweredBefore(answeredProcessed, processedFolder);
            moveAnsweredBefore(answeredFailed, failedFolder);
            claimed = claims.claim(candidates.keySet());
            if (claimed.isEmpty()) {
                mailbox.endPoll();
                state.polled(0);
                return List.of();
            }
            List<Mailbox.Fetched> fetched = mailbox.fetch(claimed.stream().map(candidates::get).toList());
            Set<String> got = fetched.stream().map(Mailbox.Fetched::key).collect(Collectors.toSet());
            List<String> gone = claimed.stream().filter(k -> !got.contains(k)).toList();
            claims.release(gone); // moved away by someone else between the listing and the fetch
            state.polled(fetched.size());
            return fetched.stream().map(Taken::new).toList();
        } catch (Exception e) {
            return failedPoll(e, claimed);
        }
    }

    private void moveAnsweredBefore(List<Long> uids, String folder) throws MessagingException {
        if (uids.isEmpty()) return;
        mailbox.move(uids, folder);
        LOG.info(messages.text("log.mail.moved-late", "count", uids.size(), "folder", folder));
    }

    private List<Taken> failedPoll(Exception e, List<String> claimed) {
        mailbox.close();
        try {
            claims.release(claimed);
        } catch (RuntimeException released) {
            LOG.debug("Releasing the claims of a failed poll: {}", released.getMessage());
        }
        state.failed(SafeText.oneLine(SafeText.rootMessage(e), 300));
        return List.of();
    }

    /** Files each mail of the batch and writes its reply; a mail that cannot be filed now is released and taken again. */
    public void file(Batch batch) {
        List<String> released = new ArrayList<>();
        for (Taken t : batch.mails) {
            try {
                t.reply = deletions.matches(t.mail.mail()) ? deletions.handle(t.mail.mail()) : intake.handle(t.mail.mail());
            } catch (Exception e) {
                LOG.warn(messages.text("log.mail.not-filed", "mail", String.valueOf(t.mail.key()),
                        "problem", SafeText.oneLine(SafeText.rootMessage(e), 300)));
                released.add(t.mail.key());
            }
        }
        release(released);
    }

    /** Sends the replies of the mails filed (after their commits); a mail whose reply could not be sent is released. */
    public void reply(Batch batch) throws InterruptedException {
        List<Taken> toSend = new ArrayList<>();
        for (Taken t : batch.mails) {
            if (t.reply == null) continue;
            if (t.reply.to() == null) t.answered = true; else toSend.add(t);
        }
        List<MailReplies.Sent> sent = replies.send(toSend.stream().map(t -> t.reply).toList());
        List<String> released = new ArrayList<>();
        for (int i = 0; i < toSend.size(); i++) {
            if (sent.get(i) == MailReplies.Sent.FAILED) released.add(toSend.get(i).mail.key());
            else toSend.get(i).answered = true;
        }
        release(released);
    }

    /**
     * Records the answered mails in the ledger, then moves them (one command per folder). The scheduler polls again
     * at once only when the batch answered a mail: a mail that cannot be filed now waits for the next poll.
     */
    public void finish(Batch batch, Exchange exchange) {
        exchange.getIn().setHeader(Exchange.SCHEDULER_POLLED_MESSAGES, batch.mails.stream().anyMatch(t -> t.answered));
        try {
            Map<String, Boolean> answered = new LinkedHashMap<>();
            for (Taken t : batch.mails) if (t.answered) answered.put(t.mail.key(), t.reply.failed());
            try {
                claims.answered(answered);
            } catch (RuntimeException e) {
                // filed and answered all the same: moved below, they are not taken again (their claims just go stale)
                LOG.warn(messages.text("log.mail.answers-unrecorded", "count", answered.size(),
                        "problem", SafeText.oneLine(SafeText.rootMessage(e), 300)));
            }
            List<Long> processed = batch.mails.stream().filter(t -> t.answered && !t.reply.failed()).map(t -> t.mail.uid()).toList();
            List<Long> failed = batch.mails.stream().filter(t -> t.answered && t.reply.failed()).map(t -> t.mail.uid()).toList();
            move(processed, processedFolder);
            move(failed, failedFolder);
            mailbox.endPoll();
        } finally {
            state.finished(batch.size());
        }
    }

    private void move(List<Long> uids, String folder) {
        try {
            mailbox.move(uids, folder);
        } catch (MessagingException | RuntimeException e) {
            mailbox.close();
            LOG.warn(messages.text("log.mail.not-moved", "count", uids.size(), "folder", folder,
                    "problem", SafeText.oneLine(SafeText.rootMessage(e), 300)));
        }
    }

    private void release(List<String> keys) {
        try {
            claims.release(keys);
        } catch (RuntimeException e) {
            LOG.warn(messages.text("log.mail.claims-kept", "count", keys.size(),
                    "problem", SafeText.oneLine(SafeText.rootMessage(e), 300)));
        }
    }

    @Override
    public void start() {
        // connections are opened by the first poll
    }

    /** The bean processor of route {@code mail} stops this bean with the route. */
    @Override
    public void stop() {
        close();
    }

    /** At stop: the mailbox connection and the kept SMTP connections are closed. */
    @Override
    public void close() {
        mailbox.close();
        replies.close();
    }
}
