package dangan.rights;

import dangan.audit.AuditTrail;
import dangan.flow.Flow;
import dangan.flow.FlowContext;

/**
 * The customer's own archive (PIPL; D-28; routes/rights.yaml): their access and correction
 * requests tracked to a deadline ({@code subjectRequests}), the whole archive exported for an access
 * request ({@code archiveExport}), corrections with the change recorded ({@code corrections}), and the
 * corrections refused for another archive's mobile, email or ID number, for a manager to resolve ({@code correctionConflicts}).
 */
public final class RightsFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        int dueDays = context.settings().getInt("dangan.rights.due-days", 15);
        if (dueDays < 1) throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", "dangan.rights.due-days", "value", String.valueOf(dueDays));
        AuditTrail audit = context.audit();
        context.bind("subjectRequests", new SubjectRequests(context.dataSource(), audit, dueDays));
        context.bind("archiveExport", new ArchiveExport(context.dataSource(), context.sensitive(), audit,
                dangan.access.RoleViews.from(context.settings())));
        CorrectionConflicts conflicts = new CorrectionConflicts(context.dataSource(), context.sensitive(), audit);
        context.bind("correctionConflicts", conflicts);
        context.bind("corrections", new Corrections(context.dataSource(), context.sensitive(), audit, conflicts));
    }
}
