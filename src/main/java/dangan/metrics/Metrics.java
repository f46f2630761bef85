package dangan.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The business metrics, counted where each outcome is recorded: the capabilities call this facade,
 * never Micrometer itself, so the names and labels live in one place (README, Operations, lists
 * them). Labels take only bounded values — channels, outcomes, job names, route paths as declared,
 * HTTP statuses — never a file name, archive number or caller. {@link #NONE} counts nothing (commands
 * and tests that build a capability on its own).
 */
public final class Metrics {

    /** Counts into a registry nobody reads. */
    public static final Metrics NONE = new Metrics(new CompositeMeterRegistry());

    private final MeterRegistry registry;

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * A file, mail, poll or survey batch filed on a channel: {@code dangan_files_total{outcome="filed"}},
     * its lines by outcome ({@code dangan_lines_total}) and how long it took ({@code dangan_ingest_duration_seconds}).
     */
    public void filed(String channel, Duration took, int created, int updated, int duplicates, int review, int rejected) {
        file(channel, "filed");
        lines(channel, "new", created);
        lines(channel, "updated", updated);
        lines(channel, "duplicate", duplicates);
        lines(channel, "review", review);
        lines(channel, "rejected", rejected);
        Timer.builder("dangan.ingest.duration").description("Time to read, stage and merge one file, mail, poll or batch")
                .tag("channel", channel).publishPercentileHistogram().register(registry).record(took);
    }

    /** Content already filed on the channel, recognised and left alone. */
    public void sameContentAgain(String channel) {
        file(channel, "duplicate");
    }

    /** A file, mail, poll or batch that failed as a whole (set aside, nothing filed). */
    public void failed(String channel) {
        file(channel, "failed");
    }

    private void file(String channel, String outcome) {
        Counter.builder("dangan.files").description("Files, mails, polls and survey batches handled, by channel and outcome")
                .tag("channel", channel).tag("outcome", outcome).register(registry).increment();
    }

    private void lines(String channel, String outcome, int count) {
        // registered at 0 too, so every outcome of a channel is there from its first file on
        Counter.builder("dangan.lines").description("Input lines by channel and outcome (new, updated, duplicate, review, rejected)")
                .tag("channel", channel).tag("outcome", outcome).register(registry).increment(count);
    }

    /** Reminders a job issued in one run. */
    public void remindersIssued(String job, int count) {
        Counter.builder("dangan.reminders.issued").description("Reminders issued, by job")
                .tag("job", job).register(registry).increment(count);
    }

    /** A notification delivery's outcome: {@code delivered}, {@code retried} (failed, tried again later) or {@code parked}. */
    public void delivery(String outcome) {
        Counter.builder("dangan.notification.deliveries").description("Notification deliveries by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** One run of a scheduled job: its duration by outcome, and failures counted on their own. */
    public void jobRun(String job, boolean failed, Duration took) {
        Timer.builder("dangan.job.runs").description("Scheduled job runs and their duration, by job and outcome")
                .tag("job", job).tag("outcome", failed ? "failed" : "done").register(registry).record(took);
        Counter failures = Counter.builder("dangan.job.failures").description("Failed scheduled job runs, by job")
                .tag("job", job).register(registry);
        if (failed) failures.increment();
    }

    /** One HTTP request: the route as declared (a path template, never the path asked), its status, its latency. */
    public void request(String method, String route, int status, Duration took) {
        Timer.builder("dangan.http.requests").description("HTTP requests by method, route (as declared) and status")
                .tag("method", method).tag("route", route).tag("status", String.valueOf(status))
                .publishPercentileHistogram().register(registry).record(took);
    }

    /** A failed sign-in or a refused token or session: {@code kind} = token, password or session. */
    public void failedLogin(String kind) {
        Counter.builder("dangan.logins.failed").description("Failed authentications, by kind (token, password, session)")
                .tag("kind", kind).register(registry).increment();
    }

    /** A value read when Prometheus scrapes (a queue's size, a folder's files): NaN when it cannot be read. */
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).strongReference(true).register(registry);
    }

    /** A count kept elsewhere (the database) that only grows, read when Prometheus scrapes. */
    public void counterOf(String name, String description, Supplier<Number> value) {
        FunctionCounter.builder(name, value, v -> {
            Number n = v.get();
            return n == null ? Double.NaN : n.doubleValue();
        }).description(description).register(registry);
    }
}
