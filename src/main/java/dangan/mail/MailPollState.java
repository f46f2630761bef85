package dangan.mail;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches the mailbox polls (the consumer's {@code pollStrategy}) so {@code --once} knows when the
 * mailbox is drained: a poll after start-up found no unprocessed message and no mail is in hand.
 * A poll that fails (server unreachable, wrong password) is logged once per run of failures, not
 * with a stack trace at every poll (it is also the consumer's {@code exceptionHandler}).
 */
public final class MailPollState implements PollingConsumerPollStrategy, ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MailPollState.class);

    private final AtomicBoolean emptyPollSeen = new AtomicBoolean();
    private final AtomicInteger inHand = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final String mailbox;

    MailPollState(String mailbox) {
        this.mailbox = mailbox;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        if (failing.compareAndSet(true, false)) {
            LOG.info("Mailbox {} can be read again", mailbox);
        }
        emptyPollSeen.set(polledMessages == 0);
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        emptyPollSeen.set(false);
        if (failing.compareAndSet(false, true)) {
            LOG.warn("Cannot read the mailbox {}: {}. Check dangan.imap.url, dangan.imap.user and dangan.imap.password"
                    + " (DANGAN_IMAP_URL, DANGAN_IMAP_USER, DANGAN_IMAP_PASSWORD); Dangan keeps trying at every poll.",
                    mailbox, SafeText.rootMessage(cause));
        }
        return false;
    }

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    /** A failed poll was logged by {@link #rollback}; anything else (a mail that could not be moved) is logged here. */
    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        if (exchange == null && failing.get()) {
            LOG.debug("{}", message, exception);
            return;
        }
        LOG.warn("Mailbox {}: {}: {}", mailbox, message == null ? "error" : message, SafeText.rootMessage(exception), exception);
    }

    void started() {
        inHand.incrementAndGet();
        emptyPollSeen.set(false);
    }

    void finished() {
        inHand.decrementAndGet();
    }

    /** The last poll found nothing to take and no mail is being handled. */
    public boolean drained() {
        return emptyPollSeen.get() && inHand.get() == 0;
    }
}
