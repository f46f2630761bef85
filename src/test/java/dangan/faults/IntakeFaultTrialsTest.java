package dangan.faults;

import dangan.support.RunningService;
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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults around one file's ingest on the shared test PostgreSQL: the ledger tells the truth.
 * <ul>
 *   <li>the database connections cut mid-file (what a restart of PostgreSQL does to them): nothing of
 *       the file is filed by the cut attempt, it is retried with back-off and filed once — never set
 *       aside in failed/ with advice to re-export it;</li>
 *   <li>the reject report cannot be written after the commit (its folder unusable: a full disk or a
 *       broken mount): the file is filed, in done/, the ledger says done; the report is written from
 *       the database once it can be, no .part left;</li>
 *   <li>a service killed with -9 while its merge runs a long statement holding the archive lock: its
 *       backend ends with it, the lock is free within seconds (not after the statement's minutes).</li>
 * </ul>
 */
@Tag("faults")
class IntakeFaultTrialsTest {

    @TempDir
    Path home;

    @Test
    void aDatabaseOutageMidFileIsRetriedNotSetAside() throws Exception {
        String database = TestDatabase.freshDatabase();
        FiledOnce file = new FiledOnce("outage-mid-file.csv", 37, Integer.getInteger("faults.lines", 12_000));
        try (RunningService service = RunningService.start(home, Map.of("dangan.db.url", database, "dangan.db.user", "postgres"))) {
            file.drop(home);
            String[] moment = {null};
            await("the COPY of " + file.name()).atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        moment[0] = file.moment(database, home);
                        return !moment[0].equals("waiting");
                    });
            long cut;
            try (Connection c = DriverManager.getConnection(database, "postgres", null); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                         + " where datname = current_database() and application_name like 'dangan-%'")) {
                rs.next();
                cut = rs.getLong(1);
            }
            Path where = service.awaitHandled(file.name(), Duration.ofSeconds(180));
            List<String> problems = file.problems(database, home);
            long interrupted = service.count("select count(*) from ingest where source_name = ? and status = 'interrupted'", file.name());
            boolean held = problems.isEmpty() && interrupted >= 1 && where.toString().contains("/done/");
            Trials.record("database connections cut mid-file", moment[0] + " (" + cut + " sessions cut)",
                    "retried, filed once, never failed/", file.observed(problems) + ", interrupted attempts " + interrupted, held);
            assertThat(where.toString()).as("where the file went").contains("/done/");
            assertThat(problems).isEmpty();
            assertThat(interrupted).as("the cut attempt is closed as interrupted").isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aReportThatCannotBeWrittenAfterTheCommitNeverUnfilesTheFile() throws Exception {
        String database = TestDatabase.freshDatabase();
        Path rejects = home.resolve("outbox").resolve("rejects");
        FiledOnce file = new FiledOnce("report-fails.csv", 38, 1_000);
        try (RunningService service = RunningService.start(home, Map.of("dangan.db.url", database, "dangan.db.user", "postgres"))) {
            Files.delete(rejects);
            Files.writeString(rejects, "not a folder: the reject report cannot be written"); // as a broken mount or a full disk would
            file.drop(home);
            Path where = service.awaitHandled(file.name());
            String status = (String) service.row("select status from ingest where source_name = ?", file.name()).get("status");
            boolean pending = (Boolean) service.row("select report_pending from ingest where source_name = ?", file.name()).get("report_pending");
            boolean firstHeld = where.toString().contains("/done/") && status.equals("done") && pending;
            Trials.record("reject report fails after the commit", "after commit", "done/, ledger done, report pending",
                    "moved to " + home.relativize(where).getName(2) + ", ledger " + status + ", report pending " + pending, firstHeld);
            assertThat(where.toString()).contains("/done/");
            assertThat(status).isEqualTo("done");
            assertThat(pending).isTrue();

            // space is back: the next file writes its own report and the one left pending
            Files.delete(rejects);
            Files.createDirectories(rejects);
            service.drop("next.csv", "姓名,手机\n下一位,13900000001\n", StandardCharsets.UTF_8);
            service.awaitHandled("next.csv");
            List<String> problems = file.problems(database, home);
            Trials.record("reject report fails after the commit, then space is back", "next file", "both reports written, no .part",
                    file.observed(problems), problems.isEmpty() && Files.exists(service.rejectReport("next.csv")));
            assertThat(problems).isEmpty();
            assertThat(service.rejectReport("next.csv")).exists();
        }
    }

    @Test
    void aKilledServicesBackendLetsGoOfTheArchiveLock() throws Exception {
        String database = TestDatabase.freshDatabase();
        Map<String, String> settings = ServiceProcess.settings(home, Map.of("dangan.db.url", database, "dangan.db.user", "postgres"));
        ServiceProcess holder = ServiceProcess.launch(home, settings, LockHolder.class.getName(), List.of());
        try {
            holder.awaitLog("holding the archive lock", Duration.ofSeconds(60));
            holder.kill();
            long killed = System.nanoTime();
            boolean free;
            try {
                await("the archive lock free").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    try (Connection c = DriverManager.getConnection(database, "postgres", null); Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("select pg_try_advisory_xact_lock(hashtext('dangan.archive.merge'))")) {
                        rs.next();
                        return rs.getBoolean(1);
                    }
                });
                free = true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                free = false;
            }
            Trials.record("kill -9 while a statement holds the archive lock", "a 10-minute statement under the lock",
                    "the lock free within seconds", free ? String.format("free after %.1f s", (System.nanoTime() - killed) / 1e9)
                            : "still held after 20 s", free);
            assertThat(free).as("the archive lock is released when its service is killed").isTrue();
        } finally {
            holder.close();
        }
    }
}
