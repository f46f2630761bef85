package dangan.jobs;

import dangan.i18n.Messages;
import dangan.normalise.Masking;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import dangan.flow.ExchangeOutcomes;
import dangan.metrics.Metrics;
import java.time.Duration;
import org.jdbi.v3.core.Handle;
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

    /** Set on a firing whose due time another instance took: it does nothing and is not recorded. */
    private static final String TAKEN_ELSEWHERE = "dangan.job.taken-elsewhere";
    /** Set on a firing that took its due time. One with neither property failed before its take ended. */
    private static final String TAKEN = "dangan.job.taken";

    private final Jdbi jdbi;
    private final Metrics metrics;
    private final Messages messages;

    public JobRuns(DataSource dataSource, Metrics metrics, Messages messages) {
        this.jdbi = Db.jdbi(dataSource);
        this.metrics = metrics;
        this.messages = messages;
    }

    /**
     * Whether this instance runs this firing (the filter of the {@code scheduled-job} template): the first
     * instance to take the job's due time in {@code job_firing} runs it; a firing of a due time already taken
     * (a stalled instance's trigger, recovered by another instance, fires twice) is one log line and nothing else.
     */
    public boolean take(Exchange exchange) {
        String job = job(exchange);
        Date due = due(exchange);
        if (due == null) return true;
        String instance = instanceOf(exchange.getMessage().getHeader("scheduler"));
        boolean taken = jdbi.inTransaction(h -> takeDueTime(h, job, due, instance));
        exchange.setProperty(taken ? TAKEN : TAKEN_ELSEWHERE, true);
        if (!taken) skipped(job, due);
        return taken;
    }

    /** Takes the job's due time for this instance, unless another instance has; a week's older due times go. */
    private static boolean takeDueTime(Handle h, String job, Date due, String instance) {
        h.createUpdate("delete from job_firing where job = :job and scheduled_for < cast(:due as timestamptz) - interval '7 days'")
                .bind("job", job).bind("due", due.toInstant()).execute();
        return h.createUpdate("""
                        insert into job_firing (job, scheduled_for, instance) values (:job, :due, :instance)
                        on conflict (job, scheduled_for) do nothing""")
                .bind("job", job).bind("due", due.toInstant()).bind("instance", instance).execute() == 1;
    }

    private void skipped(String job, Date due) {
        LOG.info(messages.text("jobs.taken", "job", job, "due", due.toInstant().toString()));
    }

    /** The job a firing of its {@code schedule-NAME} route runs. */
    private static String job(Exchange exchange) {
        return exchange.getFromRouteId().substring(SCHEDULE_PREFIX.length());
    }

    /** When the firing was due (Quartz's {@code scheduledFireTime}); null for a firing without one. */
    private static Date due(Exchange exchange) {
        return exchange.getMessage().getHeader("scheduledFireTime", Date.class);
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
        if (exchange.getProperty(TAKEN_ELSEWHERE, false, Boolean.class)) return; // another instance runs this due time
        String job = job(exchange);
        Date due = due(exchange);
        String instance = instanceOf(exchange.getMessage().getHeader("scheduler"));
        // a failure the route configuration "jobs" handled (no attempt left) is kept aside by JobFailures
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(JobFailures.FAILURE, Throwable.class);
        int failed = exchange.getProperty(JobFailures.FAILED_ATTEMPTS, 0, Integer.class);
        int attempts = failure == null ? failed + 1 : Math.max(failed, 1); // done: the attempt after the failed ones
        metrics.jobRun(job, failure != null, Duration.ofMillis(exchange.getClock().elapsed()));
        try {
            Run run = new Run(job, due == null ? Instant.ofEpochMilli(exchange.getCreated()) : due.toInstant(), instance,
                    Instant.ofEpochMilli(exchange.getClock().getCreated()), null, failure == null ? null : JobFailures.said(failure, messages),
                    attempts);
            // a firing whose take failed (under load: its statement cancelled, the pool's wait over) ran nothing; it is
            // recorded as failed only if its due time is still nobody's — another instance may have taken and run it
            boolean untaken = due != null && !exchange.getProperty(TAKEN, false, Boolean.class);
            boolean recorded = jdbi.inTransaction(h -> {
                if (untaken && !takeDueTime(h, job, due, instance)) return false;
                record(h, run);
                return true;
            });
            if (!recorded) skipped(job, due);
        } catch (JdbiException e) {
            LOG.warn(messages.text("log.jobs.unrecorded", "job", job, "problem", String.valueOf(e.getMessage())));
        }
    }

    /**
     * One run of a job as {@code job_run} keeps it: when it was due, who ran it (a scheduler instance, {@code api:NAME},
     * {@code cli:USER}), when it started and finished (null: now), its error (null: done), and the attempts it took
     * (a scheduled firing that failed for a passing reason is tried again: {@link JobFailures}).
     */
    public record Run(String job, Instant scheduledFor, String instance, Instant startedAt, Instant finishedAt, String error,
                      int attempts) {

        /** A run in one attempt: run now by a person ({@code run-job}, the API). */
        public Run(String job, Instant scheduledFor, String instance, Instant startedAt, Instant finishedAt, String error) {
            this(job, scheduledFor, instance, startedAt, finishedAt, error, 1);
        }
    }

    /**
     * THE way a run is recorded — the schedule's firings, the API's run-now and {@code run-job} alike — in the caller's
     * transaction. The error is kept with ID-like runs masked: a job's error may quote an ID number.
     */
    public static void record(Handle h, Run run) {
        h.createUpdate("""
                        insert into job_run (job, scheduled_for, instance, started_at, finished_at, status, error, attempts)
                        values (:job, :due, :instance, :started, coalesce(:finished, clock_timestamp()), :status, :error, :attempts)""")
                .bind("job", run.job())
                .bind("due", run.scheduledFor())
                .bind("instance", run.instance())
                .bind("started", run.startedAt())
                .bind("finished", run.finishedAt())
                .bind("status", run.error() == null ? "done" : "failed")
                .bind("error", run.error() == null ? null : Masking.maskIdLikeRuns(run.error()))
                .bind("attempts", run.attempts())
                .execute();
    }
}
