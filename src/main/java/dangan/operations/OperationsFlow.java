package dangan.operations;

import dangan.audit.AuditTrail;
import dangan.flow.Flow;
import dangan.flow.FlowContext;

/** What the administrator checks (routes/operations.yaml): the ingest ledger and its reject reports. */
public final class OperationsFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        context.bind("intakeApi", new IntakeApi(context.dataSource(), new AuditTrail(context.dataSource()), context.home()));
    }
}
