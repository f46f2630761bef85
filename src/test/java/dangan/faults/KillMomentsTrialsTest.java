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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 at twelve moments of a file's ingest (issue 15), each hit exactly: the service — a separate
 * process on the test PostgreSQL — is told to stop at one named moment of one file ({@link FaultPoint},
 * {@code dangan.faults.pause-at}); the trial waits until it is there and kills it. The moments: the
 * headings read and the COPY opened, early and late in the reading/COPY, the COPY complete, three steps of
 * the merge, the merge done, just before the commit, right after it, the reject report written, and the
 * file moved to {@code done/} (not yet sealed: the trial sees it in clear there, and after the restart sees it
 * sealed and no clear original left). The next start — told to stop at the next moment of the next file —
 * takes the killed file again; at the end each file is filed exactly once ({@link FiledOnce}: customers and
 * visits once each, no ingest running, done/ once, its reject report whole). One process start per kill is the
 * cost, so the moments run in {@code faults.chains} (default 2) chains side by side, each with its own
 * DANGAN_HOME and database; {@code faults.lines} (default 3,000) lines a file, {@code faults.kills} (default 10,
 * the suite's; all 12 in bench/faults.sh) moments; bench/faults.sh runs them with 100,000 lines.
 */
@Tag("faults")
class KillMomentsTrialsTest {

    @TempDir
    Path dir;

    static List<String> moments(int lines) {
        // the suite's ten first, spread over the whole ingest; bench/faults.sh adds the last two
        return List.of("header", "line-" + lines / 10, "line-" + lines * 9 / 10, "staged", "merge:match",
                "merge:add-new-visits", "before-commit", "committed", "reported", "moved", "merge:open-alone", "merged");
    }

    /** A file killed at a moment, and what was seen of it. */
    private record Kill(String moment, FiledOnce file, List<String> problems) {
    }

    @Test
    void eachKilledFileIsFiledExactlyOnceAfterTheRestart() throws Exception {
        int lines = Integer.getInteger("faults.lines", 3_000);
        List<String> moments = moments(lines);
        int kills = Math.min(Integer.getInteger("faults.kills", 10), moments.size());
        int chains = Math.max(1, Math.min(Integer.getInteger("faults.chains", 2), kills));
        ExecutorService pool = Executors.newFixedThreadPool(chains);
        List<Kill> seen = new ArrayList<>();
        try {
            List<Future<List<Kill>>> running = new ArrayList<>();
            for (int c = 0; c < chains; c++) {
                List<Kill> chain = new ArrayList<>();
                for (int k = c; k < kills; k += chains) chain.add(new Kill(moments.get(k), new FiledOnce("kill-" + k + ".csv", 50 + k, lines), new ArrayList<>()));
                Path home = dir.resolve("chain-" + c);
                running.add(pool.submit(() -> killEach(home, chain)));
            }
            for (Future<List<Kill>> chain : running) seen.addAll(chain.get());
        } finally {
            pool.shutdownNow();
        }
        List<String> broken = new ArrayList<>();
        for (Kill kill : seen) {
            Trials.record("kill -9 mid-file", kill.moment() + " (" + lines + " lines)", "filed once after the restart"
                            + (kill.moment().equals("moved") ? ", no clear original left in done/" : ""),
                    kill.file().observed(kill.problems()), kill.problems().isEmpty());
            if (!kill.problems().isEmpty()) broken.add(kill.file().name() + " killed at " + kill.moment() + ": " + kill.problems());
        }
        assertThat(broken).isEmpty();
        assertThat(seen).hasSize(kills);
    }

    /**
     * One chain: a service on its own home and database, killed at each moment of the chain in turn (the next
     * start takes the killed file again and stops at the next moment of the next file); then every file's check.
     */
    private static List<Kill> killEach(Path home, List<Kill> chain) throws Exception {
        String database = TestDatabase.freshDatabase();
        ServiceProcess service = ServiceProcess.start(home, settings(database, chain.get(0).moment() + "@" + chain.get(0).file().name()));
        try {
            for (int k = 0; k < chain.size(); k++) {
                Kill kill = chain.get(k);
                FiledOnce file = kill.file();
                Path marker = home.resolve("paused").resolve(kill.moment() + "@" + file.name());
                file.drop(home);
                ServiceProcess running = service;
                await(file.name() + " at " + kill.moment()).atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            if (!running.isAlive()) throw new AssertionError("the service ended before " + marker + ":\n" + running.tail());
                            return Files.exists(marker);
                        });
                service.kill();
                Files.delete(marker);
                long clearAtKill = file.clearOriginals(home);
                // the next start takes the killed file again, and stops at the next moment of the next file
                String next = k + 1 < chain.size() ? chain.get(k + 1).moment() + "@" + chain.get(k + 1).file().name() : "";
                service = ServiceProcess.start(home, settings(database, next));
                if (kill.moment().equals("moved")) {
                    // moved to done/ in clear, not yet sealed: the start seals it (the catch-up) before any consumer runs
                    if (clearAtKill != 1) kill.problems().add("at the kill " + clearAtKill + " clear copies in done/ (the moment was missed)");
                    long clearAfter = file.clearOriginals(home);
                    if (clearAfter != 0) kill.problems().add(clearAfter + " clear original(s) left in done/ after the restart");
                }
            }
            for (Kill kill : chain) {
                ServiceProcess running = service;
                await(kill.file().name() + " filed after the restart").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            if (!running.isAlive()) throw new AssertionError("the service ended:\n" + running.tail());
                            return kill.file().moment(database, home).equals("moved");
                        });
            }
            for (Kill kill : chain) kill.problems().addAll(kill.file().problems(database, home));
            return chain;
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
