package dangan.operations;

import dangan.audit.AuditTrail;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.notify.NotifyFlow;

/** What the administrator checks (routes/operations.yaml): the ingest ledger and its reject reports, jobs and deliveries. */
public final class OperationsFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        AuditTrail audit = context.audit();
        context.bind("intakeApi", new IntakeApi(context.dataSource(), audit, context.home(),
                dangan.i18n.Language.of(context.settings())));
        JobsApi jobs = new JobsApi(context.dataSource(), audit, NotifyFlow.book(context, context.settings()));
        jobs.metrics(context.metrics());
        context.bind("jobsApi", jobs);
    }
}
