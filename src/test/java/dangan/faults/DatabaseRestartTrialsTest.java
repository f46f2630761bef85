package dangan.faults;

import dangan.support.ServiceProcess;
import dangan.support.StoppableDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL restarted under the running service (issue 15), a standalone server the test starts and
 * restarts on the same port and data: a fast restart (pg_ctl stop -m fast, then start) while one file is
 * filed, an immediate one (SIGQUIT: a crash, recovery from the WAL) while the next is. The service —
 * a separate process — recovers without a restart of its own: readiness says the database is away
 * while it is, each cut file is retried and filed exactly once, never set aside in failed/.
 */
@Tag("faults")
class DatabaseRestartTrialsTest {

    @TempDir
    Path dir;

    @Test
    void theServiceRidesOutAFastAndAnImmediateRestartOfPostgres() throws Exception {
        int lines = Integer.getInteger("faults.lines", 12_000);
        StoppableDatabase database = StoppableDatabase.start(dir.resolve("pg"));
        Path home = dir.resolve("home");
        Map<String, String> settings = ServiceProcess.settings(home, Map.of("dangan.db.url", database.url(),
                "dangan.db.user", "postgres", "dangan.health.database-timeout-ms", "1000"));
        ServiceProcess service = ServiceProcess.launch(home, settings, "dangan.app.Dangan", List.of());
        try {
            service.awaitLog("Dangan is running", ServiceProcess.START);
            URI ready = URI.create("http://localhost:" + settings.get("dangan.http.port") + "/health/ready");
            await("ready").atMost(Duration.ofSeconds(180)).until(() -> status(ready) == 200);
            for (String mode : List.of("fast", "immediate")) {
                FiledOnce file = new FiledOnce(mode + "-restart.csv", mode.equals("fast") ? 39 : 58, lines);
                file.drop(home);
                String[] moment = {null};
                await("the ingest of " + file.name() + " under way").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            moment[0] = file.moment(database.url(), home);
                            return !moment[0].equals("waiting");
                        });
                if (mode.equals("fast")) database.stop();
                else database.crash();
                int whileAway = await("readiness while PostgreSQL is away").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> status(ready), s -> s != 200);
                database.restart();
                await(file.name() + " filed after the restart").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200))
                        .until(() -> file.moment(database.url(), home).equals("moved"));
                int after = await("ready again").atMost(Duration.ofSeconds(180)).until(() -> status(ready), s -> s == 200);
                List<String> problems = file.problems(database.url(), home);
                long interrupted;
                try (Connection c = DriverManager.getConnection(database.url(), "postgres", null)) {
                    interrupted = FiledOnce.count(c, "select count(*) from ingest where source_name = ? and status = 'interrupted'", file.name());
                }
                boolean held = problems.isEmpty() && service.isAlive();
                Trials.record("PostgreSQL " + mode + " restart mid-file", moment[0],
                        "not ready while away, ready after; retried and filed once, never failed/, no restart of the service",
                        "ready " + whileAway + " while away, " + after + " after; " + file.observed(problems)
                                + "; attempts interrupted " + interrupted + "; service " + (service.isAlive() ? "running" : "GONE"), held);
                assertThat(problems).as(file.name() + "\n" + service.tail()).isEmpty();
                assertThat(service.isAlive()).isTrue();
            }
        } finally {
            service.terminate(Duration.ofSeconds(60));
            database.close();
        }
    }

    /** The status of a GET, or -1 when nothing answered within 5 s. */
    static int status(URI uri) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
