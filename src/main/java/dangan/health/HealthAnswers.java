package dangan.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers of {@code /health/live} and {@code /health/ready} (routes/health.yaml), from Camel's
 * health-check registry: {@code {"status": "UP"|"DOWN", "checked": 97, "checks": [{"name", "status",
 * "message"}]}}, 200 when up, 503 when down; {@code checks} lists the context, Dangan's own checks and
 * every check that is not UP (Camel's one per route consumer among them). No token is needed, so the answer carries only the checks' names and
 * states, and the messages of Dangan's own checks (ours say what failed, never a host, user or
 * value). Camel's own health endpoint is not used: any caller could ask it for stack traces
 * ({@code ?exposureLevel=full&stackTrace=true}).
 */
public final class HealthAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The group of Dangan's own checks, whose messages are ours. */
    static final String OURS = "dangan";

    public void live(Exchange exchange) throws JsonProcessingException {
        answer(exchange, HealthCheckHelper.invokeLiveness(exchange.getContext(), "full"), false);
    }

    public void ready(Exchange exchange) throws JsonProcessingException {
        answer(exchange, HealthCheckHelper.invokeReadiness(exchange.getContext(), "full"), true);
    }

    private static void answer(Exchange exchange, Collection<HealthCheck.Result> results, boolean readiness)
            throws JsonProcessingException {
        boolean up = exchange.getContext().isStarted() && HealthCheckHelper.isResultsUp(results, readiness);
        List<Map<String, Object>> checks = new ArrayList<>();
        results.stream()
                .filter(r -> r.getState() != HealthCheck.State.UP || OURS.equals(r.getCheck().getGroup())
                        || "context".equals(r.getCheck().getId()))
                .sorted(Comparator.comparing(r -> r.getCheck().getId()))
                .forEach(result -> {
                    Map<String, Object> check = new LinkedHashMap<>();
                    check.put("name", result.getCheck().getId());
                    check.put("status", result.getState().name());
                    if (OURS.equals(result.getCheck().getGroup())) {
                        result.getMessage().ifPresent(message -> check.put("message", message));
                    }
                    checks.add(check);
                });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checked", results.size());
        body.put("checks", checks);
        // the server writes every message header into the answer: none of the request's goes back
        exchange.getMessage().removeHeaders("*", "Camel*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, up ? 200 : 503);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        exchange.getMessage().setBody(JSON.writeValueAsString(body));
    }
}
