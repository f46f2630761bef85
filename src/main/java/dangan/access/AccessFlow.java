package dangan.access;

import dangan.archive.ArchiveReader;
import dangan.archive.ReviewQueue;
import dangan.audit.AuditTrail;
import dangan.tiers.TierProposals;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.i18n.Language;

/** The API's doorway: the staff directory, the audit trail, and the bean {@code api} every REST route starts and ends with. */
public final class AccessFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        AuditTrail audit = new AuditTrail(context.dataSource());
        StaffDirectory staff = new StaffDirectory(context.dataSource(), audit);
        context.bind("auditTrail", audit);
        context.bind("staffDirectory", staff);
        context.bind("api", new Api(staff, audit, context.settings().getInt("dangan.api.auth-failures-per-minute", 20),
                Language.of(context.settings())));
        RoleViews views = RoleViews.from(context.settings());
        context.bind("roleViews", views);
        // views, access requests and grants, approvals (D-24, D-25, D-16, D-19): routes/archives.yaml, routes/access-requests.yaml
        ArchiveReader reader = new ArchiveReader(context.sensitive());
        AccessRequests requests = new AccessRequests(context.dataSource(), audit, reader,
                context.settings().getInt("dangan.access.max-grant-days", 30));
        context.bind("accessRequests", requests);
        context.bind("archiveApi", new ArchiveApi(context.dataSource(), reader, views, requests, audit,
                context.settings().getInt("dangan.archives.search-limit", 50)));
        context.bind("approvals", new ApprovalsApi(new TierProposals(context.dataSource()), new ReviewQueue(context.dataSource()), audit));
    }
}
