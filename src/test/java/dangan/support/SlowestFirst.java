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
 * <p>The list is by measure: the classes over about 20 s on the 2-core machine, slowest first (the
 * {@code time} of each {@code target/surefire-reports/TEST-*.xml} of a whole run). A class that is not
 * (or no longer) here only starts later; nothing depends on the order for its outcome.
 */
public final class SlowestFirst implements ClassOrderer {

    static final List<String> SLOWEST = List.of(
            "dangan.faults.KillMomentsTrialsTest",
            "dangan.console.ConsoleBrowserTest",          // holds the browser: the others who need it wait
            "dangan.faults.TwoInstancesTrialsTest",
            "dangan.faults.EmbeddedStopTrialsTest",
            "dangan.mail.MailIntakeTest",
            "dangan.faults.DatabaseRestartTrialsTest",
            "dangan.app.StartupFailuresTest",
            "dangan.backup.BackupRestoreTest",
            "dangan.faults.DatabaseOutageUnderLoadTrialsTest",
            "dangan.faults.StatisticsTrialsTest",
            "dangan.contracts.ContractsPollTest",
            "dangan.supervision.AuditApiTest",
            "dangan.notify.ChatNotificationsTest",
            "dangan.surveys.SurveyIntakeTest",
            "dangan.app.ServiceLifecycleTest",
            "dangan.backup.BackupFaultTrialsTest",
            "dangan.reminders.RemindersTest",
            "dangan.notify.NotificationsTest");

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
