package dangan.access;

import dangan.audit.AuditTrail;
import dangan.flow.Flow;
import dangan.flow.FlowContext;

/** The API's doorway: the staff directory, the audit trail, and the bean {@code api} every REST route starts and ends with. */
public final class AccessFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        AuditTrail audit = new AuditTrail(context.dataSource());
        StaffDirectory staff = new StaffDirectory(context.dataSource(), audit);
        context.bind("auditTrail", audit);
        context.bind("staffDirectory", staff);
        context.bind("api", new Api(staff, audit));
        context.bind("roleViews", RoleViews.from(context.settings()));
    }
}
