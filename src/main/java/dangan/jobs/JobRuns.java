package dangan.jobs;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Date;

/**
 * Records every firing of a {@code schedule-*} route in {@code job_run}: the job, when it was
 * due, which instance ran it and how it ended — what an operator asks ("did the visit plan run
 * this morning?") and what shows that a clustered schedule fires each job once.
 */
public final class JobRuns extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(JobRuns.class);
    private static final String SCHEDULE_PREFIX = "schedule-";

    private final DataSource dataSource;

    public JobRuns(DataSource dataSource) {
        this.dataSource = dataSource;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
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
        if (!(event instanceof CamelEvent.ExchangeCompletedEvent) && !(event instanceof CamelEvent.ExchangeFailedEvent)) {
            return false;
        }
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
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into job_run (job, scheduled_for, instance, started_at, status, error)
                values (?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, job);
            ps.setTimestamp(2, Timestamp.from(due == null ? Instant.ofEpochMilli(exchange.getCreated()) : due.toInstant()));
            ps.setString(3, instance);
            ps.setTimestamp(4, Timestamp.from(Instant.ofEpochMilli(exchange.getClock().getCreated())));
            ps.setString(5, failure == null ? "done" : "failed");
            ps.setString(6, failure == null ? null : String.valueOf(failure.getMessage()));
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("Could not record the run of job {}: {}", job, e.getMessage());
        }
    }
}
