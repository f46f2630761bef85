package dangan.metrics;

import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * The figures a scrape reads from the archive database, for every instance alike: the review queues,
 * parked deliveries, when a file was last filed, the audit trail's length. One statement, read at most
 * once per {@code maxAge} however often Prometheus asks; NaN while the database does not answer.
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

    private final Jdbi jdbi;
    private final long maxAgeNanos;
    private Figures figures = Figures.UNKNOWN;
    private long readAt;
    private boolean read;

    ArchiveFigures(DataSource dataSource, Duration maxAge) {
        this.jdbi = Db.jdbi(dataSource);
        this.maxAgeNanos = maxAge.toNanos();
    }

    synchronized Figures get() {
        long now = System.nanoTime();
        if (read && now - readAt < maxAgeNanos) return figures;
        try {
            figures = jdbi.withHandle(h -> h.createQuery(SQL).setQueryTimeout(5).map((rs, ctx) -> new Figures(
                    rs.getDouble("review_queue"), rs.getDouble("survey_review"), rs.getDouble("parked"),
                    rs.getObject("last_filed") == null ? Double.NaN : rs.getDouble("last_filed"),
                    rs.getDouble("audit_entries"))).one());
        } catch (JdbiException e) {
            LOG.warn("Metrics: could not read the archive's figures: {}", e.getMessage());
            figures = Figures.UNKNOWN;
        }
        readAt = now;
        read = true;
        return figures;
    }
}
