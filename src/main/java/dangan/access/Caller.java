package dangan.access;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.camel.Exchange;

import java.util.Arrays;

/** The authenticated member of staff behind an API request. */
public record Caller(@JsonProperty("user_id") long userId, String name, Role role) {

    /** Exchange property under which {@code api.authenticate} leaves the caller. */
    public static final String PROPERTY = "DanganCaller";

    /** The caller of this request; 401 when the route did not authenticate it. */
    public static Caller of(Exchange exchange) {
        Caller caller = exchange.getProperty(PROPERTY, Caller.class);
        if (caller == null) throw ApiProblem.localized(401, "api.auth.needed");
        return caller;
    }

    /** Whether the caller has one of these roles (who may call a route at all is the route's {@code roles}). */
    public boolean is(Role... roles) {
        return Arrays.asList(roles).contains(role);
    }
}
