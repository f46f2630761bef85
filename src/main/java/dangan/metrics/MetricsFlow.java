package dangan.metrics;

import dangan.flow.Flow;
import dangan.flow.FlowContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Metrics (routes/metrics.yaml): {@code GET /metrics} in Prometheus' format — Camel's route metrics
 * ({@code camel.metrics.enabled}) and Dangan's own, counted by the capabilities through {@link Metrics}
 * and, for queue sizes and folders, read on scrape.
 */
public final class MetricsFlow implements Flow {

    @Override
    public void bind(FlowContext context) throws IOException {
        Metrics metrics = context.metrics();
        context.bind("httpRequestMetrics", new HttpRequests(metrics));
        if (metrics.registry() instanceof PrometheusMeterRegistry prometheus) {
            context.bind("metricsEndpoint", new MetricsEndpoint(prometheus, context.settings().get("dangan.metrics.token")));
        }
        // read at most every 5 s; a scrape waits for them at most dangan.metrics.figures-wait-ms, then answers with the last ones, marked stale
        ArchiveFigures archive = new ArchiveFigures(context.dataSource(), Duration.ofSeconds(5),
                Duration.ofMillis(context.settings().getInt("dangan.metrics.figures-wait-ms", 1000)), 10,
                dangan.i18n.Messages.of(context.settings()));
        metrics.gauge("dangan.review.queue", "Changes waiting for review (pending_change)", () -> archive.get().reviewQueue());
        metrics.gauge("dangan.survey.review.queue", "Survey responses waiting to be linked to an archive", () -> archive.get().surveyReview());
        metrics.gauge("dangan.notifications.parked", "Notification deliveries parked (gave up; notifications retry puts them back)",
                () -> archive.get().parked());
        metrics.gauge("dangan.files.last.filed.timestamp.seconds", "When a file, mail, poll or batch was last filed (Unix time), by any instance",
                () -> archive.get().lastFiled());
        metrics.counterOf("dangan.audit.entries", "Entries in the audit trail, written by any instance", () -> archive.get().auditEntries());
        metrics.gauge("dangan.archive.figures.stale", "1 when the database did not answer the last scrape in time: the figures read from it are the last known",
                archive::stale);
        metrics.gauge("dangan.archive.figures.age.seconds", "Seconds since the figures read from the database were read", archive::ageSeconds);
        Path inbox = context.home().resolve("inbox");
        for (String folder : folders(inbox)) {
            Path dir = inbox.resolve(folder);
            metrics.gauge("dangan.inbox.files", "Files waiting in a drop folder (not yet taken)", () -> waiting(dir), "folder", folder);
        }
    }

    private static List<String> folders(Path inbox) throws IOException {
        if (!Files.isDirectory(inbox)) return List.of();
        try (Stream<Path> dirs = Files.list(inbox)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Regular files at the top of the folder, hidden ones (copies in progress) left out. */
    private static double waiting(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
