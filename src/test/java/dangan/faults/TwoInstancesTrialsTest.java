package dangan.faults;

import dangan.support.ServiceProcess;
import dangan.support.TestDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances as two processes on one database and one drop folder (issue 15): 20 files dropped at once are
 * each filed exactly once; the visit plan and the notification relay, scheduled every few seconds on both
 * (clustered Quartz), fire once per due time — job_run has no due time twice, the reminder table no reminder
 * twice, the feed no line twice, each notification delivered once as one file; {@code run-job visit-plan}
 * started twice at once (two more processes) ends well twice and issues nothing twice.
 */
@Tag("faults")
class TwoInstancesTrialsTest {

    private static final int FILES = 20;

    @TempDir
    Path home;

    @Test
    void twoInstancesFileEachFileOnceAndFireEachJobOnce() throws Exception {
        String database = TestDatabase.freshDatabase();
        Map<String, String> shared = new HashMap<>(Map.of("dangan.db.url", database, "dangan.db.user", "postgres",
                "dangan.jobs.visit-plan.cron", "0/4 * * * * ?", "dangan.jobs.notification-relay.cron", "2/4 * * * * ?",
                "dangan.notify.subscribers", "files", "dangan.notify.subscriber.files.kinds", "*",
                "dangan.notify.subscriber.files.channel", "file", "dangan.notify.subscriber.files.to", "outbox/notifications"));
        ServiceProcess a = ServiceProcess.launch(home, ServiceProcess.settings(home, shared), "dangan.app.Dangan", List.of());
        ServiceProcess b = ServiceProcess.launch(home, ServiceProcess.settings(home, shared), "dangan.app.Dangan", List.of());
        try {
            a.awaitLog(ServiceProcess.READY, ServiceProcess.START);
            b.awaitLog(ServiceProcess.READY, ServiceProcess.START);
            List<FiledOnce> files = new ArrayList<>();
            for (int i = 0; i < FILES; i++) files.add(new FiledOnce("both-" + i + ".csv", 60 + i, 40));
            for (FiledOnce file : files) file.drop(home);
            for (FiledOnce file : files) {
                await(file.name() + " filed").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200))
                        .until(() -> file.moment(database, home).equals("moved"));
            }
            long customers = FILES * files.get(0).valid();
            // the visit plan fires after the last file was filed, and the relay after it: every reminder issued, every event delivered
            long filedAt = System.currentTimeMillis();
            await("the visit plan after the files").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200))
                    .until(() -> count(database, "select count(*) from job_run where job = 'visit-plan' and status = 'done'"
                            + " and started_at > to_timestamp(" + filedAt / 1000.0 + ")") >= 2);
            await("every notification delivered").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200))
                    .until(() -> count(database, "select count(*) from notification_delivery where status <> 'delivered'") == 0);

            LocalDate tomorrow = LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(1);
            Map<String, String> cli = ServiceProcess.settings(home, shared);
            ServiceProcess first = ServiceProcess.launch(home, cli, "dangan.app.Dangan", List.of("run-job", "visit-plan", "--date", tomorrow.toString()));
            ServiceProcess second = ServiceProcess.launch(home, cli, "dangan.app.Dangan", List.of("run-job", "visit-plan", "--date", tomorrow.toString()));
            int firstExit = first.awaitExit(Duration.ofSeconds(240));
            int secondExit = second.awaitExit(Duration.ofSeconds(240));

            List<String> problems = new ArrayList<>();
            for (FiledOnce file : files) {
                for (String problem : file.problems(database, home)) problems.add(file.name() + ": " + problem);
            }
            // the schedules go on firing while the test reads: the firings up to one run (two reads once saw 23 firings for
            // 24 due times), and the due times fired twice counted in one statement
            String scheduled = "from job_run where job in ('visit-plan', 'notification-relay') and instance not like 'cli:%' and id <= "
                    + count(database, "select coalesce(max(id), 0) from job_run");
            long firings = count(database, "select count(*) " + scheduled);
            long dueTimes = count(database, "select count(distinct (job, scheduled_for)) " + scheduled);
            long firedTwice = count(database, "select count(*) - count(distinct (job, scheduled_for)) " + scheduled);
            long instances = count(database, "select count(distinct instance) from job_run where instance not like 'cli:%'");
            long reminders = count(database, "select count(*) from reminder where job = 'visit-plan'");
            long distinctReminders = count(database, "select count(distinct (customer_id, kind, owner_role, due_on, subject)) from reminder");
            long allReminders = count(database, "select count(*) from reminder");
            long cliRuns = count(database, "select count(*) from job_run where job = 'visit-plan' and instance like 'cli:%' and status = 'done'");
            long events = count(database, "select count(*) from notification_event");
            long delivered = count(database, "select count(*) from notification_delivery where status = 'delivered'");
            long notificationFiles = files(home.resolve("outbox").resolve("notifications"), ".json");
            List<String> feedTwice = linesTwice(home.resolve("outbox").resolve("reminders"));

            boolean held = problems.isEmpty() && firedTwice == 0 && distinctReminders == allReminders && reminders >= customers
                    && firstExit == 0 && secondExit == 0 && cliRuns == 2 && delivered == events && notificationFiles == delivered
                    && feedTwice.isEmpty();
            Trials.record("two instances (processes)", FILES + " files at once; visit plan and relay every 4 s on both; run-job twice at once",
                    "each file once; each due time fired once; no reminder, feed line or delivery twice; run-job twice: no duplicate",
                    (problems.isEmpty() ? FILES + " files filed once each" : String.join("; ", problems)) + "; " + firings
                            + " firings for " + dueTimes + " due times by " + instances + " instances; " + allReminders + " reminders ("
                            + (allReminders - distinctReminders) + " twice); feed lines twice " + feedTwice.size() + "; " + events
                            + " events, " + delivered + " delivered, " + notificationFiles + " files; run-job exits " + firstExit + ", "
                            + secondExit, held);
            assertThat(problems).isEmpty();
            assertThat(firedTwice).as("due times fired twice (" + firings + " firings for " + dueTimes + " due times)").isZero();
            assertThat(distinctReminders).isEqualTo(allReminders);
            assertThat(reminders).isGreaterThanOrEqualTo(customers);
            assertThat(feedTwice).isEmpty();
            assertThat(List.of(firstExit, secondExit)).as(first.tail() + "\n" + second.tail()).containsExactly(0, 0);
            assertThat(cliRuns).isEqualTo(2);
            assertThat(delivered).isEqualTo(events);
            assertThat(notificationFiles).isEqualTo(delivered);
        } finally {
            a.terminate(Duration.ofSeconds(60));
            b.terminate(Duration.ofSeconds(60));
        }
    }

    private static long files(Path folder, String suffix) throws Exception {
        if (!Files.isDirectory(folder)) return 0;
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(p -> p.getFileName().toString().endsWith(suffix) && !p.getFileName().toString().startsWith(".")).count();
        }
    }

    /** Lines that appear twice in one feed CSV of the folder (a reminder listed twice). */
    private static List<String> linesTwice(Path folder) throws Exception {
        List<String> twice = new ArrayList<>();
        try (Stream<Path> all = Files.list(folder)) {
            for (Path csv : all.filter(p -> p.toString().endsWith(".csv") && !p.toString().endsWith(".counts.csv")).toList()) {
                List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
                lines.stream().filter(l -> lines.indexOf(l) != lines.lastIndexOf(l)).distinct().forEach(twice::add);
            }
        }
        return twice;
    }

    private static long count(String database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", null)) {
            return FiledOnce.count(c, sql);
        }
    }
}
