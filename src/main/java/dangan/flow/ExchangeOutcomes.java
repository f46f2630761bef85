package dangan.flow;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * An event notifier that hears only how exchanges ended (completed or failed) — the job ledger and
 * the HTTP request metrics; camel-main enlists every EventNotifier bean in the registry.
 */
public abstract class ExchangeOutcomes extends EventNotifierSupport {

    protected ExchangeOutcomes() {
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    /** A completed or failed exchange. */
    protected static boolean isOutcome(CamelEvent event) {
        return event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent;
    }
}
