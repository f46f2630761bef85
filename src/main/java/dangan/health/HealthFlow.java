package dangan.health;

import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.i18n.Messages;

import java.time.Duration;

/**
 * Health (routes/health.yaml): liveness and readiness on Camel's health-check registry, with the
 * database check of our own; answered without a token (see {@link HealthAnswers}).
 */
public final class HealthFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        // a HealthCheck bean in the registry joins Camel's health-check registry
        context.bind("databaseHealthCheck", new DatabaseCheck(context.dataSource(),
                Duration.ofMillis(context.settings().getInt("dangan.health.database-timeout-ms", 2000)),
                Messages.of(context.settings())));
        context.bind("healthAnswers", new HealthAnswers());
    }
}
