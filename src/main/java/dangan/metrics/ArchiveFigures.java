package dangan.metrics;

import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The figures a scrape reads from the archive database, for every instance alike: the review queues,
 * parked deliveries, when a file was last filed, the audit trail's length. One statement, read at most
 * once per {@code maxAge} however often Prometheus asks.
 *
 * <p>A scrape never waits on the database for long: the statement runs in a thread of its own (one at a
 * time), and a scrape waits for it at most {@code wait}. When it does not answer in time — a slow, locked
 * or unreachable database — the scrape answers with the last figures read and {@link #stale()} says so
 * (the gauge {@code dangan_archive_figures_stale} is 1, {@code dangan_archive_figures_age_seconds} how old
 * they are); NaN while nothing was ever read. The read in flight goes on in the background and a later
 * scrape gets its figures.
 */
final class ArchiveFigures {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveFigures.class);

    record Figures(double reviewQueue, double surveyReview, double parked, double lastFiled, double auditEntries) {
        static final Figures UNKNOWN = new Figures(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private static final String SQL = """
            select (select count(*) from pending_change where status = 'pending')             as review_queue,
                   (select count(*) from survey_review where status = 'pending')              as survey_review,
                   (select count(*) from notification_delivery where status = 'parked')       as parked,
                   (select extract(epoch from max(finished_at)) from ingest where status = 'done') as last_filed,
                   (select last_id from audit_head)                                           as audit_entries""";

    private final dangan.i18n.Messages messages;
    private final Jdbi jdbi;
    private final long maxAgeNanos;
    private final long waitNanos;
    private final int queryTimeoutSeconds;

    private volatile Figures figures = Figures.UNKNOWN;
    private volatile long readAt;
    private volatile boolean read;
    private volatile boolean stale = true;
    private CompletableFuture<Void> reading;
    private long readingSince;

    /**
     * @param maxAge              figures younger than this are not read again
     * @param wait                how long a scrape waits for figures being read
     * @param queryTimeoutSeconds when the statement itself gives up (in the background)
     */
    ArchiveFigures(DataSource dataSource, Duration maxAge, Duration wait, int queryTimeoutSeconds, dangan.i18n.Messages messages) {
        this.messages = messages;
        this.jdbi = Db.jdbi(dataSource);
        this.maxAgeNanos = maxAge.toNanos();
        this.waitNanos = wait.toNanos();
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** The figures: fresh, read now (waiting at most {@code wait}), or the last read, then {@link #stale()}. */
    Figures get() {
        CompletableFuture<Void> pending;
        long deadline;
        synchronized (this) {
            long now = System.nanoTime();
            if (read && now - readAt < maxAgeNanos) return figures;
            if (reading == null || reading.isDone()) {
                reading = CompletableFuture.runAsync(this::read, task -> {
                    Thread thread = new Thread(task, "dangan-metrics-figures");
                    thread.setDaemon(true);
                    thread.start();
                });
                readingSince = now;
            }
            pending = reading;
            deadline = readingSince + waitNanos; // one wait per read, however many gauges ask during the scrape
        }
        long left = deadline - System.nanoTime();
        try {
            if (left > 0) pending.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // said below: the last figures, stale
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!pending.isDone()) stale = true;
        return figures;
    }

    /** 1 when the last figures could not be read again in time (or at all), else 0. */
    double stale() {
        get();
        return stale ? 1 : 0;
    }

    /** Seconds since the figures were last read; NaN while never. */
    double ageSeconds() {
        get();
        return read ? (System.nanoTime() - readAt) / 1e9 : Double.NaN;
    }

    private void read() {
        try {
            figures = jdbi.withHandle(h -> h.createQuery(SQL).setQueryTimeout(queryTimeoutSeconds).map((rs, ctx) -> new Figures(
                    rs.getDouble("review_queue"), rs.getDouble("survey_review"), rs.getDouble("parked"),
                    rs.getObject("last_filed") == null ? Double.NaN : rs.getDouble("last_filed"),
                    rs.getDouble("audit_entries"))).one());
            readAt = System.nanoTime();
            read = true;
            stale = false;
        } catch (JdbiException e) {
            LOG.warn(messages.text("log.metrics.unread", "problem", String.valueOf(e.getMessage())));
            stale = true;
        }
    }
}
