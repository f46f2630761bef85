package dangan.faults;

import dangan.support.ServiceProcess;
import dangan.support.TestDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 at twelve moments of a file's ingest (issue 15), each hit exactly: the service — a separate
 * process on the test PostgreSQL — is told to stop at one named moment of one file ({@link FaultPoint},
 * {@code dangan.faults.pause-at}); the trial waits until it is there and kills it. The moments: the
 * headings read and the COPY opened, early and late in the reading/COPY, the COPY complete, three steps of
 * the merge, the merge done, just before the commit, right after it, the reject report written, and the
 * file moved to {@code done/} (not yet sealed). The next start — told to stop at the next moment of the
 * next file — takes the killed file again; at the end each file is filed exactly once ({@link FiledOnce}:
 * customers and visits once each, no ingest running, done/ once, its reject report whole). One process
 * start per kill is the cost; {@code faults.lines} (default 3,000) lines a file, {@code faults.kills}
 * (default 10, the suite's; all 12 in bench/faults.sh) moments; bench/faults.sh runs them with 100,000 lines.
 */
@Tag("faults")
class KillMomentsTrialsTest {

    @TempDir
    Path home;

    static List<String> moments(int lines) {
        // the suite's ten first, spread over the whole ingest; bench/faults.sh adds the last two
        return List.of("header", "line-" + lines / 10, "line-" + lines * 9 / 10, "staged", "merge:match",
                "merge:add-visits", "before-commit", "committed", "reported", "moved", "merge:open-archives", "merged");
    }

    @Test
    void eachKilledFileIsFiledExactlyOnceAfterTheRestart() throws Exception {
        int lines = Integer.getInteger("faults.lines", 3_000);
        List<String> moments = moments(lines);
        int kills = Math.min(Integer.getInteger("faults.kills", 10), moments.size());
        String database = TestDatabase.freshDatabase();
        List<FiledOnce> files = new ArrayList<>();
        for (int k = 0; k < kills; k++) files.add(new FiledOnce("kill-" + k + ".csv", 50 + k, lines));

        ServiceProcess service = ServiceProcess.start(home, settings(database, moments.get(0) + "@" + files.get(0).name()));
        try {
            for (int k = 0; k < kills; k++) {
                FiledOnce file = files.get(k);
                Path marker = home.resolve("paused").resolve(moments.get(k) + "@" + file.name());
                file.drop(home);
                ServiceProcess running = service;
                await(file.name() + " at " + moments.get(k)).atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            if (!running.isAlive()) throw new AssertionError("the service ended before " + marker + ":\n" + running.tail());
                            return Files.exists(marker);
                        });
                service.kill();
                Files.delete(marker);
                // the next start takes the killed file again, and stops at the next moment of the next file
                String next = k + 1 < kills ? moments.get(k + 1) + "@" + files.get(k + 1).name() : "";
                service = ServiceProcess.start(home, settings(database, next));
            }
            for (int k = 0; k < kills; k++) {
                FiledOnce file = files.get(k);
                ServiceProcess running = service;
                await(file.name() + " filed after the restart").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            if (!running.isAlive()) throw new AssertionError("the service ended:\n" + running.tail());
                            return file.moment(database, home).equals("moved");
                        });
            }
            List<String> broken = new ArrayList<>();
            for (int k = 0; k < kills; k++) {
                FiledOnce file = files.get(k);
                List<String> problems = file.problems(database, home);
                Trials.record("kill -9 mid-file", moments.get(k) + " (" + lines + " lines)", "filed once after the restart",
                        file.observed(problems), problems.isEmpty());
                if (!problems.isEmpty()) broken.add(file.name() + " killed at " + moments.get(k) + ": " + problems);
            }
            assertThat(broken).as(service.tail()).isEmpty();
        } finally {
            service.terminate(Duration.ofSeconds(60));
        }
    }

    private static Map<String, String> settings(String database, String pauseAt) {
        Map<String, String> settings = new HashMap<>(Map.of("dangan.db.url", database, "dangan.db.user", "postgres"));
        if (!pauseAt.isEmpty()) settings.put("dangan.faults.pause-at", pauseAt);
        return settings;
    }
}
