package dangan.support;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

import java.util.Comparator;
import java.util.List;

/**
 * The order test classes are handed to the parallel run (junit-platform.properties,
 * {@code junit.jupiter.testclass.order.default}): the slowest classes first, so none of them starts
 * last and keeps the run going alone at the end; the rest after them, in the order they were found.
 * JUnit's workers take classes from the front of this list (the thread that forked them works from
 * the back, through the short ones), so a long class near the front starts at once.
 *
 * <p>The list is by measure: the classes over about 7 s on the 2-core machine, slowest first (the
 * {@code time} of each {@code target/surefire-reports/TEST-*.xml}, averaged over three whole runs, six classes at
 * a time). A class that is not here only starts later; nothing depends on the order for its outcome. A long class left out starts
 * late and keeps the run going with one class at the end: 11 s once, for {@code BackupKillTrialsTest}.
 * {@code SlowestFirstTest} checks that every name here is a test class.
 */
public final class SlowestFirst implements ClassOrderer {

    static final List<String> SLOWEST = List.of(
            "dangan.console.ConsoleBrowserTest",          // holds the browser: the others who need it wait
            "dangan.faults.DatabaseRestartTrialsTest",
            "dangan.faults.KillMomentsTrialsTest",
            "dangan.faults.EmbeddedStopTrialsTest",
            "dangan.faults.TwoInstancesTrialsTest",
            "dangan.faults.DatabaseOutageUnderLoadTrialsTest",
            "dangan.mail.MailIntakeTest",
            "dangan.supervision.AuditApiTest",
            "dangan.notify.ChatNotificationsTest",
            "dangan.contracts.ContractsPollTest",
            "dangan.backup.BackupFaultTrialsTest",
            "dangan.backup.BackupRestoreTest",
            "dangan.app.StartupFailuresTest",
            "dangan.notify.NotificationsTest",
            "dangan.backup.BackupKillTrialsTest",
            "dangan.surveys.SurveyIntakeTest",
            "dangan.app.ServiceLifecycleTest",
            "dangan.faults.IntakeFaultTrialsTest",
            "dangan.intake.UnrecognisedHeadingsTest",
            "dangan.faults.StatisticsTrialsTest",
            "dangan.access.PerMinuteLimitTest",
            "dangan.intake.DropFolderDoorTest",
            "dangan.intake.ReviewBeforeFilingTest",
            "dangan.intake.RegistrationIntakeTest",
            "dangan.consent.ConsentTest");

    @Override
    public void orderClasses(ClassOrdererContext context) {
        // a stable sort: the classes not listed keep the order they were found in
        context.getClassDescriptors().sort(Comparator.comparingInt(c -> rank(c.getTestClass().getName())));
    }

    static int rank(String className) {
        int at = SLOWEST.indexOf(className);
        return at < 0 ? SLOWEST.size() : at;
    }
}
