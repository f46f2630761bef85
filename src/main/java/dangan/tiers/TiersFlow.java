package dangan.tiers;

import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.intake.MergeListener;

import java.time.Clock;
import java.time.ZoneId;

/**
 * Tiers (D-18, D-19): new archives get their tier in their merge's transaction; the job
 * {@code annual-tier-review} (routes/tiers.yaml) files the yearly proposal.
 */
public final class TiersFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        TierRules rules = TierRules.from(context.settings());
        ZoneId zone = context.settings().zone();
        NewArchiveTiers newArchives = new NewArchiveTiers(rules, zone, Clock.systemUTC());
        context.intake().tierAtOpening(newArchives::atOpening);
        context.intake().onMerged(MergeListener.Phase.TIERS, newArchives);
        context.bind("annualTierReview", new AnnualTierReview(context.dataSource(), rules, zone,
                dangan.i18n.Messages.of(context.settings())));
    }
}
