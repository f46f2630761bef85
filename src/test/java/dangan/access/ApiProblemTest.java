package dangan.access;

import dangan.rules.RuleException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The API layer is the one place where the domain's refusals become HTTP statuses. */
@Tag("fast")
class ApiProblemTest {

    @Test
    void eachKindOfRefusalHasItsStatusAndKeepsItsMessage() {
        assertThat(ApiProblem.of(new RuleException.Invalid("\"reason\" is required")).status()).isEqualTo(400);
        assertThat(ApiProblem.of(new RuleException.NotPermitted("you filed it")).status()).isEqualTo(403);
        assertThat(ApiProblem.of(new RuleException.NotFound("no destruction proposal #7")).status()).isEqualTo(404);
        ApiProblem conflict = ApiProblem.of(new RuleException.Conflict("already decided"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.getMessage()).isEqualTo("already decided");
        assertThat(conflict.getCause()).isInstanceOf(RuleException.Conflict.class);
    }
}
