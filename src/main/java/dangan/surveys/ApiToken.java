package dangan.surveys;

import org.apache.camel.Exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The shared secret a survey platform sends to {@code POST /api/surveys} as {@code Authorization: Bearer <token>}
 * ({@code dangan.surveys.token}, {@code DANGAN_SURVEYS_TOKEN}). Unset: the endpoints are open to
 * whoever can reach the port, and the log says so at start-up.
 */
final class ApiToken {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final byte[] expected;

    ApiToken(String token) {
        this.expected = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    boolean required() {
        return expected != null;
    }

    /** True when no token is configured or the request carries it (compared in constant time). */
    boolean allows(Exchange exchange) {
        if (expected == null) return true;
        String given = exchange.getMessage().getHeader("Authorization", String.class);
        return given != null && MessageDigest.isEqual(expected, given.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** Answers 401 with a JSON body naming what is missing; returns false so callers can {@code if (!token.check(e)) return;}. */
    boolean check(Exchange exchange) {
        if (allows(exchange)) return true;
        exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        SurveyIntake.answer(exchange, 401, JSON.createObjectNode()
                .put("error", "missing or wrong token: send the header Authorization: Bearer <dangan.surveys.token>"));
        return false;
    }
}
