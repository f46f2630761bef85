package dangan.metrics;

import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.spi.CamelEvent;
import dangan.flow.ExchangeOutcomes;

import java.time.Duration;

/**
 * Counts every HTTP request the service answered (the API, the console, health, metrics) by method,
 * route as declared ({@code /api/archives/{archiveNo}}, never the path asked, which can hold an
 * archive number or a mobile) and status, with its latency: {@code dangan_http_requests_seconds}.
 * An EventNotifier in the registry, so camel-main enlists it.
 */
public final class HttpRequests extends ExchangeOutcomes {

    private final Metrics metrics;

    public HttpRequests(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return isOutcome(event) && ((CamelEvent.ExchangeEvent) event).getExchange().getFromEndpoint() instanceof PlatformHttpEndpoint;
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        PlatformHttpEndpoint endpoint = (PlatformHttpEndpoint) exchange.getFromEndpoint();
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) status = exchange.isFailed() ? 500 : 200;
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        metrics.request(method, endpoint.getPath(), status, Duration.ofMillis(exchange.getClock().elapsed()));
    }
}
