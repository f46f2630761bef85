package dangan.tiers;

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
import java.time.ZoneId;

/**
 * The job {@code annual-tier-review} (D-19): runs {@code sql/annual-tier-review.sql} for the job's
 * day and files the proposal (类别调整建议书). Nothing in the archive changes until a manager decides
 * with {@code tiers approve|reject}. The message body becomes a one-line summary.
 */
public final class AnnualTierReview {

    private static final Logger LOG = LoggerFactory.getLogger(AnnualTierReview.class);
    static final String FILED_BY = "annual-tier-review";

    private final DataSource dataSource;
    private final TierRules rules;
    private final ZoneId zone;
    private final SqlScript script = SqlScript.load("annual-tier-review");

    public AnnualTierReview(DataSource dataSource, TierRules rules, ZoneId zone) {
        this.dataSource = dataSource;
        this.rules = rules;
        this.zone = zone;
    }

    /** Called by the route {@code job-annual-tier-review}. */
    public void run(Exchange exchange) throws SQLException {
        LocalDate asOf = JobDate.of(exchange, zone);
        exchange.getMessage().setBody(review(asOf));
    }

    /** Files the proposal for the day; returns what happened, as the log says it. */
    public String review(LocalDate asOf) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            String summary;
            try (PreparedStatement ps = script.prepare(c, rules.reviewParameters(asOf, FILED_BY));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                long proposal = rs.getLong("proposal_id");
                boolean filed = !rs.wasNull();
                long earlier = rs.getLong("earlier_proposal_id");
                boolean hadEarlier = !rs.wasNull();
                if (filed) {
                    summary = String.format("annual tier review as of %s: proposal #%d filed with %d lines (to A %d, B %d, C %d, D %d, E %d);"
                                    + " nothing changes until a manager runs 'tiers approve %d'", asOf, proposal, rs.getLong("lines"),
                            rs.getLong("to_a"), rs.getLong("to_b"), rs.getLong("to_c"), rs.getLong("to_d"), rs.getLong("to_e"), proposal);
                } else if (hadEarlier) {
                    summary = "annual tier review as of " + asOf + ": proposal #" + earlier
                            + " was already filed for this day; nothing new filed (see 'tiers show " + earlier + "')";
                } else {
                    summary = "annual tier review as of " + asOf + ": every archive's tier still fits; no proposal filed";
                }
            }
            c.commit();
            LOG.info(summary);
            return summary;
        }
    }
}
