package dangan.supervision;

import dangan.i18n.Localized;

import dangan.audit.AuditCheckpoints;
import dangan.consent.Consents;
import dangan.i18n.Messages;
import dangan.reminders.FeedText;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.access.RoleViews;
import dangan.config.Settings;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.intake.MergeListener;

import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * Audit, change history and KPIs (D-26, D-27, D-33; routes/audit.yaml): the beans {@code auditLog}
 * ({@code /api/audit}, {@code /api/audit/verify}), {@code changeHistory}
 * ({@code /api/archives/{archiveNo}/history}) and {@code kpiReport} ({@code /api/kpi}, job {@code kpi-report}).
 * Every intake's filing writes its audit entry here too. The configuration is checked at start-up.
 */
public final class SupervisionFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        Settings s = context.settings();
        ZoneId zone = s.zone();
        AuditTrail audit = context.audit();
        // the head of the chain, now and then, outside the database (job audit-checkpoint): a cut-off tail shows
        AuditCheckpoints checkpoints = new AuditCheckpoints(AuditCheckpoints.file(context.home()), audit);
        context.bind("auditCheckpoints", checkpoints);
        context.bind("auditLog", new AuditApi(context.dataSource(), zone, audit, checkpoints,
                dangan.i18n.Language.of(s)));
        context.bind("changeHistory", new ChangeHistory(context.dataSource(), RoleViews.from(s), audit, zone));
        LocalTime[] hours = KpiReport.Settings.openingHours(s.get("dangan.kpi.opening-hours", "08:00-22:00"));
        List<String> required = Arrays.stream(s.get("dangan.kpi.required-fields", "name,gender,birth_date,mobile,address")
                .split("\\s*,\\s*")).map(String::strip).filter(f -> !f.isEmpty()).toList();
        context.bind("kpiReport", new KpiReport(context.dataSource(), new KpiReport.Settings(zone, required,
                s.getInt("dangan.reminders.staleness.days", 90), s.getInt("dangan.kpi.bulk-read-threshold", 50),
                hours[0], hours[1], context.home().resolve("outbox").resolve("kpi"), Messages.of(s),
                FeedText.keys(s.get(FeedText.HEADINGS, "people")))));
        // every filing changes archives (D-26, D-27): one entry per file, mail or poll, in the merge's transaction
        // consent it carried (a consent column, e.g. paper consent for a whole legacy file) is counted in the same entry
        Messages said = context.intake().messages();
        context.intake().onMerged(MergeListener.Phase.AUDIT, (h, run) -> {
            String consents = Consents.recorded(h, run.id(), said);
            audit.record(h, AuditEntry.system(run.channel(), "change", null, Localized.of("ingest.audit.filing", "id", run.id(),
                    "created", run.created(), "updated", run.updated(), "review", run.review(), "rejected", run.rejected(),
                    "hasConsents", consents == null ? "no" : "yes", "consents", consents == null ? "" : consents)));
        });
    }
}
