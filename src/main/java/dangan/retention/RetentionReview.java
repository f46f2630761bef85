package dangan.retention;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.jobs.JobDate;
import dangan.store.SqlScript;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Map;

/**
 * The job {@code retention-review} (D-31): runs {@code sql/retention-review.sql} for the job's day
 * and files ONE destruction proposal (reason retention) listing the archives past their period.
 * Nothing is destroyed: a manager decides through the API. The message body becomes a one-line summary.
 */
public final class RetentionReview {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionReview.class);
    static final String JOB = "retention-review";
    static final String FILED_BY = "system:" + JOB;

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final RetentionSettings settings;
    private final SqlScript script = SqlScript.load(JOB);

    public RetentionReview(DataSource dataSource, AuditTrail audit, RetentionSettings settings) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.settings = settings;
    }

    /** Called by the route {@code job-retention-review}. */
    public void run(Exchange exchange) throws SQLException {
        exchange.getMessage().setBody(review(JobDate.of(exchange, settings.zone())));
    }

    /** Files the proposal for the day; returns what happened, as the log says it. */
    public String review(LocalDate asOf) throws SQLException {
        if (settings.archiveYears() == null && settings.healthYears() == null) {
            String summary = "retention review as of " + asOf + ": no retention period is set (dangan.retention.archive-years,"
                    + " dangan.retention.health-years): everything is kept, nothing proposed";
            LOG.info(summary);
            return summary;
        }
        String rules = "{\"archive_years\": " + settings.archiveYears() + ", \"health_years\": " + settings.healthYears() + "}";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String summary;
                try (PreparedStatement ps = script.prepare(c, Map.of("as_of", asOf, "archive_years", settings.archive(),
                        "health_years", settings.health(), "filed_by", FILED_BY, "rules", rules));
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long proposal = rs.getLong("proposal_id");
                    if (rs.wasNull()) {
                        summary = "retention review as of " + asOf + ": no archive is past its retention period"
                                + " (or all are proposed already, sealed or on legal hold); no proposal filed";
                    } else {
                        summary = String.format("retention review as of %s: destruction proposal #%d filed with %d line(s)"
                                        + " (whole archive %d, health facts only %d); nothing is destroyed until a manager approves it",
                                asOf, proposal, rs.getLong("lines"), rs.getLong("archives"), rs.getLong("health"));
                        audit.record(c, AuditEntry.system(JOB, "propose-destruction", null, summary));
                    }
                }
                c.commit();
                LOG.info(summary);
                return summary;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
