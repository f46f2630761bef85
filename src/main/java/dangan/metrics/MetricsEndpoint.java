package dangan.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} (routes/metrics.yaml): the registry in Prometheus' text format. With
 * {@code dangan.metrics.token} set, only callers sending {@code Authorization: Bearer <token>} get it
 * (from anywhere); without, only callers on this machine (loopback) do. Others get 401 or 403 and
 * nothing else. Metrics carry counts and durations, never personal data, but they tell how busy the
 * archive is, so they are not public by default.
 */
public final class MetricsEndpoint {

    private static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";
    private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final byte[] token;

    /** @param token the scrape token; null or empty: loopback callers only */
    public MetricsEndpoint(PrometheusMeterRegistry registry, String token) {
        this.registry = registry;
        this.token = token == null || token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    public void scrape(Exchange exchange) {
        Message message = exchange.getMessage();
        int refusal = refusal(message);
        String authorization = message.getHeader("Authorization", String.class);
        // the server writes every message header into the answer: none of the request's (its token) goes back
        message.removeHeaders("*", "Camel*");
        if (refusal != 0) {
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, refusal);
            message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            if (refusal == 401) message.setHeader("WWW-Authenticate", "Bearer");
            message.setBody(refusal == 401
                    ? (authorization == null ? "metrics need Authorization: Bearer <dangan.metrics.token>\n" : "wrong metrics token\n")
                    : "metrics are answered on this machine only; set dangan.metrics.token to scrape from elsewhere\n");
            return;
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, TEXT_004);
        message.setBody(registry.scrape(TEXT_004));
    }

    /** 0 when the caller may read the metrics, else the status that refuses them. */
    private int refusal(Message message) {
        if (token != null) {
            String sent = message.getHeader("Authorization", String.class);
            return sent != null && MessageDigest.isEqual(token, sent.getBytes(StandardCharsets.UTF_8)) ? 0 : 401;
        }
        return isLoopback(message.getHeader(REMOTE_ADDRESS)) ? 0 : 403;
    }

    private static boolean isLoopback(Object address) {
        if (address == null) return false;
        String host = address instanceof io.vertx.core.net.SocketAddress socket ? socket.hostAddress() : address.toString();
        if (host == null) return false;
        if (!(address instanceof io.vertx.core.net.SocketAddress)) {
            int port = host.lastIndexOf(':');
            if (port > 0) host = host.substring(0, port);
        }
        try {
            // a literal address: no name lookup
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
