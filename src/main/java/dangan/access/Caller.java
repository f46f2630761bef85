package dangan.access;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.camel.Exchange;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The authenticated member of staff behind an API request. */
public record Caller(@JsonProperty("user_id") long userId, String name, Role role) {

    /** Exchange property under which {@code api.authenticate} leaves the caller. */
    public static final String PROPERTY = "DanganCaller";

    /** The caller of this request; 401 when the route did not authenticate it. */
    public static Caller of(Exchange exchange) {
        Caller caller = exchange.getProperty(PROPERTY, Caller.class);
        if (caller == null) throw ApiProblem.unauthorized("this resource needs Authorization: Bearer <token>");
        return caller;
    }

    /** 403 unless the caller has one of these roles. */
    public Caller require(Role... roles) {
        if (!is(roles)) {
            throw ApiProblem.forbidden("the role " + role + " may not do this; it needs "
                    + Arrays.stream(roles).map(Role::label).collect(Collectors.joining(" or ")));
        }
        return this;
    }

    public boolean is(Role... roles) {
        return Arrays.asList(roles).contains(role);
    }
}
