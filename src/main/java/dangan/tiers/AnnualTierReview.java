package dangan.tiers;

import dangan.jobs.JobDate;
import dangan.store.Db;
import dangan.store.SqlScript;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
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

    private final Jdbi jdbi;
    private final TierRules rules;
    private final ZoneId zone;
    private final SqlScript script = SqlScript.load("annual-tier-review");

    private final dangan.i18n.Messages messages;

    public AnnualTierReview(DataSource dataSource, TierRules rules, ZoneId zone, dangan.i18n.Messages messages) {
        this.messages = messages;
        this.jdbi = Db.jdbi(dataSource);
        this.rules = rules;
        this.zone = zone;
    }

    /** Called by the route {@code job-annual-tier-review}. */
    public void run(Exchange exchange) {
        LocalDate asOf = JobDate.of(exchange, zone);
        exchange.getMessage().setBody(review(asOf));
    }

    /** Files the proposal for the day; returns what happened, as the log says it. */
    public String review(LocalDate asOf) {
        String summary = jdbi.inTransaction(h -> script.query(h, rules.reviewParameters(asOf, FILED_BY)).map((rs, ctx) -> {
            long proposal = rs.getLong("proposal_id");
            boolean filed = !rs.wasNull();
            long earlier = rs.getLong("earlier_proposal_id");
            boolean hadEarlier = !rs.wasNull();
            if (filed) {
                return messages.text("log.tiers.proposed", "day", asOf, "proposal", String.valueOf(proposal), "lines", rs.getLong("lines"),
                        "a", rs.getLong("to_a"), "b", rs.getLong("to_b"), "c", rs.getLong("to_c"), "d", rs.getLong("to_d"), "e", rs.getLong("to_e"));
            } else if (hadEarlier) {
                return messages.text("log.tiers.already", "day", asOf, "proposal", String.valueOf(earlier));
            }
            return messages.text("log.tiers.fits", "day", asOf);
        }).one());
        LOG.info(summary);
        return summary;
    }
}
