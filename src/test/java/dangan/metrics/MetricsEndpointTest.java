package dangan.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.net.SocketAddress;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may read /metrics: with a token, its bearers from anywhere; without, this machine only. */
@Tag("fast")
class MetricsEndpointTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    MetricsEndpointTest() {
        new Metrics(registry).failed("registrations");
    }

    @Test
    void withoutATokenOnlyThisMachineIsAnswered() {
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, "");
        Exchange local = request(SocketAddress.inetSocketAddress(50123, "127.0.0.1"), null);
        endpoint.scrape(local);
        assertThat(local.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(local.getMessage().getBody(String.class))
                .contains("dangan_files_total{channel=\"registrations\",outcome=\"failed\"} 1.0");

        Exchange remote = request(SocketAddress.inetSocketAddress(50123, "192.0.2.7"), null);
        endpoint.scrape(remote);
        assertThat(remote.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(403);
        assertThat(remote.getMessage().getBody(String.class)).contains("dangan.metrics.token").doesNotContain("dangan_files_total");
    }

    @Test
    void withATokenItsBearersAreAnsweredFromAnywhereAndNobodyElse() {
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, "s3cret-scrape");
        Exchange right = request(SocketAddress.inetSocketAddress(50123, "192.0.2.7"), "Bearer s3cret-scrape");
        endpoint.scrape(right);
        assertThat(right.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(right.getMessage().getHeader("Authorization")).as("the token never goes back as a response header").isNull();

        for (String sent : new String[]{null, "Bearer wrong", "s3cret-scrape"}) {
            Exchange wrong = request(SocketAddress.inetSocketAddress(50123, "127.0.0.1"), sent);
            endpoint.scrape(wrong);
            assertThat(wrong.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).as(String.valueOf(sent)).isEqualTo(401);
            assertThat(wrong.getMessage().getBody(String.class)).doesNotContain("dangan_files_total");
        }
    }

    private static Exchange request(SocketAddress from, String authorization) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader("CamelVertxPlatformHttpRemoteAddress", from);
        if (authorization != null) exchange.getMessage().setHeader("Authorization", authorization);
        return exchange;
    }
}
