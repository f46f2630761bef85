package dangan.retention;

import dangan.i18n.Localized;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.jobs.JobDate;
import dangan.store.Db;
import dangan.store.SqlScript;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
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

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final RetentionSettings settings;
    private final SqlScript script = SqlScript.load(JOB);

    public RetentionReview(DataSource dataSource, AuditTrail audit, RetentionSettings settings) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.settings = settings;
    }

    /** Called by the route {@code job-retention-review}. */
    public void run(Exchange exchange) {
        exchange.getMessage().setBody(review(JobDate.of(exchange, settings.zone())));
    }

    /** Files the proposal for the day; returns what happened, as the log says it. */
    public String review(LocalDate asOf) {
        if (settings.archiveYears() == null && settings.healthYears() == null) {
            String summary = audit.messages().text("log.retention.no-period", "day", asOf);
            LOG.info(summary);
            return summary;
        }
        String rules = "{\"archive_years\": " + settings.archiveYears() + ", \"health_years\": " + settings.healthYears() + "}";
        String summary = jdbi.inTransaction(h -> {
            Localized filed = script.query(h, Map.of("as_of", asOf, "archive_years", settings.archive(),
                    "health_years", settings.health(), "filed_by", FILED_BY, "rules", rules,
                    "note", audit.messages().text("records.proposal.retention", "day", asOf))).map((rs, ctx) -> {
                rs.getLong("proposal_id");
                if (rs.wasNull()) return null;
                return Localized.of("audit.retention.proposed", "day", asOf, "proposal", rs.getLong("proposal_id"),
                        "lines", rs.getLong("lines"), "archives", rs.getLong("archives"), "health", rs.getLong("health"));
            }).findFirst().orElse(null);
            if (filed == null) {
                return audit.messages().text("log.retention.nothing-due", "day", asOf);
            }
            audit.record(h, AuditEntry.system(JOB, "propose-destruction", null, filed));
            return filed.in(audit.messages());
        });
        LOG.info(summary);
        return summary;
    }
}
