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
        AuditTrail audit = context.audit();
        StaffDirectory staff = StaffDirectory.configured(context.settings(), context.dataSource(), audit);
        context.bind("staffDirectory", staff);
        // the console's sign-in (name + password) and sessions: a browser calls the same API with a cookie instead of a token
        ConsoleSessions sessions = new ConsoleSessions(context.dataSource(), audit,
                java.time.Duration.ofMinutes(context.settings().getInt("dangan.console.idle-minutes", 30)),
                java.time.Duration.ofHours(context.settings().getInt("dangan.console.absolute-hours", 12)));
        context.bind("consoleSessions", sessions);
        Api api = new Api(staff, audit, context.settings().getInt("dangan.api.auth-failures-per-minute", 20),
                context.settings().getInt("dangan.api.denials-per-minute", 20),
                Language.of(context.settings()), sessions,
                Boolean.parseBoolean(context.settings().get("dangan.console.secure-cookie", "false")),
                Transport.from(context.settings()));
        api.metrics(context.metrics());
        context.bind("api", api);
        context.bind("apiDescription", new ApiDescription(context.settings().get("dangan.api.public-url"),
                context.settings().getInt("dangan.surveys.max-body-bytes", 1_048_576)));
        RoleViews views = RoleViews.from(context.settings());
        context.bind("roleViews", views);
        // views, access requests and grants, approvals (D-24, D-25, D-16, D-19): routes/archives.yaml, routes/access-requests.yaml
        ArchiveReader reader = new ArchiveReader(context.sensitive(), dangan.i18n.Messages.of(context.settings()));
        AccessRequests requests = new AccessRequests(context.dataSource(), audit, reader,
                context.settings().getInt("dangan.access.max-grant-days", 30));
        context.bind("accessRequests", requests);
        context.bind("archiveApi", new ArchiveApi(context.dataSource(), reader, views, requests, audit,
                context.settings().getInt("dangan.archives.search-limit", 50), dangan.i18n.Language.of(context.settings())));
        context.bind("approvals", new ApprovalsApi(new TierProposals(context.dataSource(), audit.messages()), new ReviewQueue(context.dataSource(), audit.messages(), context.sensitive()), audit));
    }
}
