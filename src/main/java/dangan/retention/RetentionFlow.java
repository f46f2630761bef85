package dangan.retention;

import dangan.audit.AuditTrail;
import dangan.backup.Keyring;
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
        AuditTrail audit = context.audit();
        DestructionProposals proposals = new DestructionProposals(context.dataSource(), audit, settings);
        // THE hook after a committed destruction: forget the destroyed keys in this instance's key
        // cache (others see it within dangan.keys.cache-seconds), then rewrite the backups' keyring so
        // it no longer holds them (D-29, D-31): no backup made before can give their values back.
        proposals.afterDestruction(destroyed -> {
            for (DestructionListener.Destroyed d : destroyed) context.sensitive().forget(d.customerId());
            Keyring.Written keyring = Keyring.rewrite(context.dataSource(), context.settings());
            LOG.info(audit.messages().text("log.retention.keyring", "file", String.valueOf(keyring.file()),
                    "archives", destroyed.stream().map(DestructionListener.Destroyed::archiveNo).toList().toString(),
                    "keys", keyring.keys(), "records", keyring.destructions()));
        });
        context.bind("destructionProposals", proposals);
        context.bind("retentionApi", new RetentionApi(proposals));
        context.bind("retentionReview", new RetentionReview(context.dataSource(), audit, settings));
        LOG.info(audit.messages().text("log.retention.settings",
                "archive", settings.archiveYears() == null ? "never" : String.valueOf(settings.archiveYears()),
                "health", settings.healthYears() == null ? "never" : String.valueOf(settings.healthYears()), "days", settings.dueDays()));
    }
}
