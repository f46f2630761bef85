package dangan.jobs;

import dangan.normalise.Masking;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import dangan.flow.ExchangeOutcomes;
import dangan.metrics.Metrics;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.Date;

/**
 * Records every firing of a {@code schedule-*} route in {@code job_run}: the job, when it was
 * due, which instance ran it and how it ended — what an operator asks ("did the visit plan run
 * this morning?") and what shows that a clustered schedule fires each job once.
 */
public final class JobRuns extends ExchangeOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(JobRuns.class);
    private static final String SCHEDULE_PREFIX = "schedule-";

    private final Jdbi jdbi;
    private final Metrics metrics;

    public JobRuns(DataSource dataSource, Metrics metrics) {
        this.jdbi = Db.jdbi(dataSource);
        this.metrics = metrics;
    }

    private static String instanceOf(Object scheduler) {
        try {
            return scheduler instanceof org.quartz.Scheduler s ? s.getSchedulerInstanceId() : "unknown";
        } catch (org.quartz.SchedulerException e) {
            return "unknown";
        }
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        if (!isOutcome(event)) return false;
        String route = ((CamelEvent.ExchangeEvent) event).getExchange().getFromRouteId();
        return route != null && route.startsWith(SCHEDULE_PREFIX);
    }

    @Override
    public void notify(CamelEvent event) {
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        String job = exchange.getFromRouteId().substring(SCHEDULE_PREFIX.length());
        Date due = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        String instance = instanceOf(exchange.getMessage().getHeader("scheduler"));
        Exception failure = exchange.getException();
        metrics.jobRun(job, failure != null, Duration.ofMillis(exchange.getClock().elapsed()));
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            insert into job_run (job, scheduled_for, instance, started_at, status, error)
                            values (:job, :due, :instance, :started, :status, :error)""")
                    .bind("job", job)
                    .bind("due", due == null ? Instant.ofEpochMilli(exchange.getCreated()) : due.toInstant())
                    .bind("instance", instance)
                    .bind("started", Instant.ofEpochMilli(exchange.getClock().getCreated()))
                    .bind("status", failure == null ? "done" : "failed")
                    .bind("error", failure == null ? null : Masking.maskIdLikeRuns(String.valueOf(failure.getMessage())))
                    .execute());
        } catch (JdbiException e) {
            LOG.warn("Could not record the run of job {}: {}", job, e.getMessage());
        }
    }
}
