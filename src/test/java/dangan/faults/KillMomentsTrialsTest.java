package dangan.faults;

import dangan.support.ServiceProcess;
import dangan.support.TestDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 at moments spread over a file's ingest (issue 15): while the lines stream into staging
 * (COPY: early and late), during the merge, right after the commit (done, the file still in the inbox)
 * — each time a new file, the service as a separate process on the test PostgreSQL; the next start
 * files the killed file exactly once. In the test suite {@code faults.kills} (default 3) kills of
 * {@code faults.lines} (default 8,000) lines; bench/faults.sh runs 12 kills of 100,000 lines.
 */
@Tag("faults")
class KillMomentsTrialsTest {

    private static final List<String> MOMENTS = List.of("copy", "merge", "committed", "copy-late");

    @TempDir
    Path home;

    @Test
    void eachKilledFileIsFiledExactlyOnceAfterTheRestart() throws Exception {
        int kills = Integer.getInteger("faults.kills", 3);
        int lines = Integer.getInteger("faults.lines", 8_000);
        String database = TestDatabase.freshDatabase();
        Map<String, String> settings = Map.of("dangan.db.url", database, "dangan.db.user", "postgres");
        ServiceProcess service = ServiceProcess.start(home, settings);
        try {
            for (int k = 0; k < kills; k++) {
                FiledOnce file = new FiledOnce("kill-" + k + ".csv", 50 + k, lines);
                String target = MOMENTS.get(k % MOMENTS.size());
                file.drop(home);
                String[] seen = {null};
                long[] copyStarted = {0};
                await("moment " + target + " of " + file.name()).atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(10))
                        .until(() -> {
                            seen[0] = file.moment(database, home);
                            if (seen[0].equals("copy") && copyStarted[0] == 0) copyStarted[0] = System.nanoTime();
                            return switch (target) {
                                case "copy-late" -> seen[0].equals("copy") && System.nanoTime() - copyStarted[0] > 1_000_000_000L
                                        || !List.of("waiting", "copy").contains(seen[0]);
                                case "copy" -> !seen[0].equals("waiting");
                                case "merge" -> List.of("merge", "committed", "moved").contains(seen[0]);
                                default -> List.of("committed", "moved").contains(seen[0]);
                            };
                        });
                service.kill();
                service = ServiceProcess.start(home, settings);
                await(file.name() + " filed after the restart").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100))
                        .until(() -> file.moment(database, home).equals("moved"));
                List<String> problems = file.problems(database, home);
                Trials.record("kill -9 mid-file", "aimed at " + target + ", killed at " + seen[0],
                        "filed once after the restart", file.observed(problems), problems.isEmpty());
                assertThat(problems).as(file.name() + " killed at " + seen[0]).isEmpty();
            }
        } finally {
            service.terminate(Duration.ofSeconds(60));
        }
    }
}
