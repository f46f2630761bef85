package dangan.jobs;

import dangan.config.Settings;
import dangan.i18n.FailureText;
import dangan.i18n.Localized;
import dangan.i18n.Messages;
import dangan.normalise.Masking;
import dangan.store.Outage;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Date;

/**
 * What happens when a scheduled job's firing fails (the route configuration {@code jobs} of the
 * {@code scheduled-job} template, routes/jobs.yaml). A passing fault — the database away, a full disk
 * ({@link Outage}) — is tried again with back-off: {@code dangan.jobs.retry.delay-ms}, doubled each time
 * up to {@code dangan.jobs.retry.max-delay-ms}, {@code dangan.jobs.retry.attempts} attempts in all, and
 * never at or past the job's next firing (which does the work then). Any other failure is not retried.
 * Each failed attempt is one log line — the job, the firing, the reason, what happens next — with no
 * stack trace; {@link JobRuns} records the firing once, with the attempts it took.
 */
public final class JobFailures {

    /** Exchange property: how many attempts of the firing have failed so far (absent: none). */
    public static final String FAILED_ATTEMPTS = "DanganJobFailedAttempts";
    /** Exchange property: the failure a firing ended with, once no attempt is left. */
    public static final String FAILURE = "DanganJobFailure";

    private static final Logger LOG = LoggerFactory.getLogger(JobFailures.class);
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Messages messages;
    private final ZoneId zone;
    private final int attempts;
    private final long delayMs;
    private final long maxDelayMs;

    public JobFailures(Messages messages, ZoneId zone, int attempts, long delayMs, long maxDelayMs) {
        if (attempts < 1) throw dangan.i18n.ConfigurationException.of("config.jobs.attempts", "value", String.valueOf(attempts));
        if (delayMs < 0 || maxDelayMs < delayMs) {
            throw dangan.i18n.ConfigurationException.of("config.jobs.delays", "delay", String.valueOf(delayMs), "max", String.valueOf(maxDelayMs));
        }
        this.messages = messages;
        this.zone = zone;
        this.attempts = attempts;
        this.delayMs = delayMs;
        this.maxDelayMs = maxDelayMs;
    }

    public static JobFailures of(Settings settings) {
        return new JobFailures(Messages.of(settings), settings.zone(), settings.getInt("dangan.jobs.retry.attempts", 5),
                settings.getInt("dangan.jobs.retry.delay-ms", 10_000), settings.getInt("dangan.jobs.retry.max-delay-ms", 300_000));
    }

    /**
     * The route configuration's {@code retryWhile}, asked after each failed attempt: whether the firing is tried
     * again. When it is, says so in one line and sets the delay before the next attempt ({@code CamelRedeliveryDelay}).
     */
    public boolean retry(Exchange exchange) {
        Throwable failure = failure(exchange);
        int failed = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 1, Integer.class);
        exchange.setProperty(FAILED_ATTEMPTS, failed);
        if (!Outage.isOutage(failure) || failed >= attempts) return false;
        long delay = delayBefore(failed + 1);
        Instant next = nextFiring(exchange);
        if (next != null && !Instant.now().plusMillis(delay).isBefore(next)) return false;
        exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, delay);
        LOG.warn(messages.text("jobs.retrying", "job", job(exchange), "due", shown(due(exchange)), "reason", reason(failure),
                "seconds", delay / 1000.0, "attempt", failed + 1, "attempts", attempts));
        return true;
    }

    /** The route configuration's last step, once the firing is not tried again: one line, and the run recorded as failed. */
    public void failed(Exchange exchange) {
        Throwable failure = failure(exchange);
        int failed = exchange.getProperty(FAILED_ATTEMPTS, 1, Integer.class);
        Instant next = nextFiring(exchange);
        String why = exchange.getContext().isStopping() ? "stopping"
                : !Outage.isOutage(failure) ? "permanent"
                : failed >= attempts ? "exhausted" : "next";
        exchange.setProperty(FAILURE, failure);
        LOG.error(messages.text("jobs.failed", "job", job(exchange), "due", shown(due(exchange)), "reason", reason(failure),
                "why", why, "attempts", failed, "hasNext", next == null ? "no" : "yes", "next", shown(next)));
    }

    /** The delay before attempt {@code attempt} (2 or more): the first delay, doubled each time, at most the longest. */
    long delayBefore(int attempt) {
        long delay = delayMs;
        for (int i = 2; i < attempt && delay < maxDelayMs; i++) delay *= 2;
        return Math.min(delay, maxDelayMs);
    }

    /**
     * Why a job failed, as {@code job_run.error} keeps it for a person (the console's jobs page, {@code run-job}): the
     * reason Dangan's own failure carries (a refusal of the rules, a backup failure), from the bundles; otherwise
     * "job failed" with the kind of failure ({@link FailureText}) — never a library's sentence or class name.
     */
    public static String said(Throwable failure, Messages messages) {
        Localized carried = FailureText.carried(failure);
        return carried != null ? carried.in(messages) : messages.text("records.job.failed", "failure", FailureText.said(failure));
    }

    /**
     * Why the attempt failed, for the log: the database or the disk said so in the bundle's words; Dangan's own
     * failures by their reason from the bundles; any other failure by its own message, first line, ID-like runs masked.
     */
    String reason(Throwable failure) {
        if (failure == null) return messages.text("jobs.reason.unknown");
        Localized carried = FailureText.carried(failure);
        if (carried != null) return Masking.maskIdLikeRuns(carried.in(messages));
        if (Outage.isOutage(failure)) {
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof SQLException) return messages.text("jobs.reason.database", "kind", t.getClass().getSimpleName());
            }
        }
        String message = failure.getMessage();
        if (message == null || message.isBlank()) return failure.getClass().getSimpleName();
        return Masking.maskIdLikeRuns(message.strip().lines().findFirst().orElse(""));
    }

    private static Throwable failure(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private static String job(Exchange exchange) {
        String route = exchange.getFromRouteId();
        return route != null && route.startsWith("schedule-") ? route.substring("schedule-".length()) : String.valueOf(route);
    }

    private static Instant due(Exchange exchange) {
        Date due = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        return due == null ? Instant.ofEpochMilli(exchange.getCreated()) : due.toInstant();
    }

    private static Instant nextFiring(Exchange exchange) {
        Date next = exchange.getMessage().getHeader("nextFireTime", Date.class);
        return next == null ? null : next.toInstant();
    }

    private String shown(Instant instant) {
        return instant == null ? "" : WHEN.format(instant.atZone(zone));
    }
}
