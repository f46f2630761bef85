package dangan.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches the mailbox polls so {@code --once} knows when the mailbox is drained: a poll after start-up
 * found nothing to take and no mail is in hand. A poll that fails (server unreachable, wrong password,
 * the connection cut) is logged once per run of failures, not at every poll.
 */
final class MailPollState {

    private static final Logger LOG = LoggerFactory.getLogger(MailPollState.class);

    private final AtomicBoolean emptyPollSeen = new AtomicBoolean();
    private final AtomicInteger inHand = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final String mailbox;

    private final dangan.i18n.Messages messages;

    MailPollState(String mailbox, dangan.i18n.Messages messages) {
        this.mailbox = mailbox;
        this.messages = messages;
    }

    /** A poll reached the mailbox and took this many mails (now in hand until {@link #finished}). */
    void polled(int taken) {
        if (failing.compareAndSet(true, false)) {
            LOG.info(messages.text("log.mail.mailbox-back", "mailbox", mailbox));
        }
        inHand.addAndGet(taken);
        emptyPollSeen.set(taken == 0);
    }

    /** A poll could not read the mailbox: one line for a run of failures. */
    void failed(String reason) {
        emptyPollSeen.set(false);
        if (failing.compareAndSet(false, true)) {
            LOG.warn(messages.text("log.mail.mailbox-unreadable", "mailbox", mailbox, "problem", reason));
        } else {
            LOG.debug("Mailbox {} still cannot be read: {}", mailbox, reason);
        }
    }

    /** The mails taken by the last poll are answered and moved, or left for the next poll. */
    void finished(int mails) {
        inHand.addAndGet(-mails);
    }

    /** The last poll found nothing to take and no mail is being handled. */
    boolean drained() {
        return emptyPollSeen.get() && inHand.get() == 0;
    }
}
