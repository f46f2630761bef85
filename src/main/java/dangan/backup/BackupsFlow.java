package dangan.backup;

import dangan.flow.Flow;
import dangan.flow.FlowContext;

/** Backups (D-29): the job {@code backup} (routes/backups.yaml) calls the bean {@code backups}. */
public final class BackupsFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        context.bind("backups", new Backups(context.dataSource(), BackupSettings.from(context.settings())));
    }
}
