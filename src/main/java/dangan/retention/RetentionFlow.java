package dangan.retention;

import dangan.audit.AuditTrail;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention, destruction and sealing (D-31, D-32; routes/retention.yaml): the job
 * {@code retention-review} files destruction proposals; deletion requests (API, mail) file one at
 * once; a manager approves (destroy or seal) or rejects through the API.
 */
public final class RetentionFlow implements Flow {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionFlow.class);

    @Override
    public void bind(FlowContext context) {
        RetentionSettings settings = RetentionSettings.from(context.settings());
        AuditTrail audit = new AuditTrail(context.dataSource());
        DestructionProposals proposals = new DestructionProposals(context.dataSource(), audit, settings);
        // THE hook after a committed destruction (D-29): the backups' keyring must no longer hold the
        // destroyed keys. dangan.backup.Keyring is not on this branch yet; at merge time this becomes
        //   proposals.afterDestruction(destroyed -> Keyring.rewrite(context.dataSource(), context.settings()));
        // and, with per-customer keys, context.sensitive().forget(d.customerId()) for each destroyed archive.
        proposals.afterDestruction(destroyed -> LOG.warn("Destroyed {}: rewrite the backups' keyring now"
                + " (dangan.backup.Keyring is not wired in yet)", destroyed.stream().map(DestructionListener.Destroyed::archiveNo).toList()));
        context.bind("destructionProposals", proposals);
        context.bind("retentionApi", new RetentionApi(proposals));
        context.bind("retentionReview", new RetentionReview(context.dataSource(), audit, settings));
        LOG.info("Retention (D-31): whole archives after {} without activity, health facts after {}; deletion requests due in {} days",
                settings.archiveYears() == null ? "never (kept)" : settings.archiveYears() + " years",
                settings.healthYears() == null ? "never (kept)" : settings.healthYears() + " years", settings.dueDays());
    }
}
