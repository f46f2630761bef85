package dangan.faults;

import dangan.support.ServiceProcess;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stop and crash on the embedded PostgreSQL (issue 11 "stop and start cleanly", issue 15), with the
 * service as a separate process on one DANGAN_HOME:
 * <ol>
 *   <li>SIGTERM while a file is being filed: the service stops in its own order (the file in hand
 *       finished or rolled back, then the database), exits 0, and leaves no PostgreSQL running; the
 *       file is filed, or taken again at the next start — never half, never in failed/, never running;</li>
 *   <li>kill -9 while a file is being filed: its embedded PostgreSQL outlives it (nothing can stop a
 *       child on kill -9); the next start stops that orphan and starts its own, closes the killed
 *       ingest as interrupted and files the file once; the next SIGTERM leaves no PostgreSQL behind.</li>
 * </ol>
 */
@Tag("faults")
class EmbeddedStopTrialsTest {

    private static final int LINES = Integer.getInteger("faults.lines", 12_000);

    @TempDir
    Path home;

    @Test
    void sigtermAndKillMidFileOnTheEmbeddedDatabase() throws Exception {
        FiledOnce first = new FiledOnce("sigterm-mid-file.csv", 35, LINES);
        FiledOnce second = new FiledOnce("kill-mid-file.csv", 36, LINES);
        Map<String, String> embedded = Map.of();

        // 1. SIGTERM mid-file
        ServiceProcess service = ServiceProcess.start(home, embedded);
        String url = jdbcUrl();
        long postmaster = postmasterPid();
        first.drop(home);
        String moment = awaitMoment(first, url, Set.of("copy", "merge"));
        int status = service.terminate(Duration.ofSeconds(90));
        boolean serverGone = gone(postmaster);
        String where = Files.exists(home.resolve("inbox/registrations").resolve(first.name())) ? "left in the inbox" : "handled";
        boolean held = status == 0 && serverGone;
        Trials.record("SIGTERM mid-file (embedded)", moment, "exit 0 after the file in hand, PostgreSQL stopped after the service",
                "exit " + status + ", PostgreSQL " + (serverGone ? "stopped" : "still running") + ", file " + where, held);
        assertThat(status).as("exit status after SIGTERM\n" + service.tail()).isZero();
        assertThat(serverGone).as("the embedded PostgreSQL stopped with the service\n" + service.tail()).isTrue();

        // 2. the next start files it once (if it was rolled back); then kill -9 mid-file
        service = ServiceProcess.start(home, embedded);
        url = jdbcUrl();
        awaitFiled(first, url);
        List<String> problems = first.problems(url, home);
        Trials.record("SIGTERM mid-file, restart", moment, "filed once", first.observed(problems), problems.isEmpty());
        assertThat(problems).as(first.name()).isEmpty();

        postmaster = postmasterPid();
        second.drop(home);
        moment = awaitMoment(second, url, Set.of("copy", "merge"));
        service.kill();
        boolean orphan = ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false);

        // 3. the next start stops the orphan, recovers the file; SIGTERM leaves nothing running
        service = ServiceProcess.start(home, embedded);
        boolean orphanStopped = gone(postmaster);
        long own = postmasterPid();
        url = jdbcUrl();
        awaitFiled(second, url);
        problems = second.problems(url, home);
        long interrupted;
        try (var c = java.sql.DriverManager.getConnection(url, "postgres", dangan.store.ArchiveDatabase.storedPassword(home))) {
            interrupted = FiledOnce.count(c, "select count(*) from ingest where source_name = ? and status = 'interrupted'", second.name());
        }
        status = service.terminate(Duration.ofSeconds(90));
        boolean ownGone = gone(own);
        held = problems.isEmpty() && orphanStopped && own != postmaster && interrupted == 1 && status == 0 && ownGone;
        Trials.record("kill -9 mid-file (embedded)", moment,
                "orphaned PostgreSQL stopped at the next start, killed ingest closed as interrupted, filed once, SIGTERM leaves no server",
                "orphan " + (orphan ? "left by the kill, " : "none, ") + (orphanStopped ? "stopped at start" : "STILL RUNNING")
                        + ", interrupted ingests " + interrupted + ", " + second.observed(problems)
                        + ", exit " + status + ", server " + (ownGone ? "stopped" : "still running"), held);
        assertThat(orphanStopped).as("the orphaned PostgreSQL is stopped at the next start").isTrue();
        assertThat(own).as("the new start runs its own server").isNotEqualTo(postmaster);
        assertThat(problems).as(second.name()).isEmpty();
        assertThat(interrupted).as("the killed ingest is closed as interrupted").isEqualTo(1);
        assertThat(status).isZero();
        assertThat(ownGone).as("no PostgreSQL left after SIGTERM").isTrue();
    }

    /** Whether the process is gone, allowing a few seconds for it to be reaped. */
    private static boolean gone(long pid) {
        try {
            await("process " + pid + " gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    private String awaitMoment(FiledOnce file, String url, Set<String> wanted) {
        String[] seen = {null};
        await("a moment in " + wanted + " of " + file.name()).atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    seen[0] = file.moment(url, home);
                    return wanted.contains(seen[0]) || seen[0].equals("committed") || seen[0].equals("moved");
                });
        return seen[0];
    }

    private void awaitFiled(FiledOnce file, String url) {
        await(file.name() + " filed").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100))
                .until(() -> file.moment(url, home).equals("moved"));
    }

    private List<String> pidFile() throws Exception {
        return Files.readAllLines(home.resolve("data/postgres/postmaster.pid"));
    }

    private long postmasterPid() throws Exception {
        return Long.parseLong(pidFile().get(0).strip());
    }

    private String jdbcUrl() throws Exception {
        return "jdbc:postgresql://localhost:" + pidFile().get(3).strip() + "/dangan";
    }
}
