package dangan.health;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.support.ApiClient;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import dangan.support.StoppableDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * /health/live and /health/ready on the real service, without a token, on a PostgreSQL of the
 * test's own that it stops and starts again: readiness turns DOWN naming the database check while
 * the server is away, liveness stays UP, and readiness comes back when the server does.
 */
@Tag("service")
class HealthTest {

    @TempDir
    static Path dir;
    static StoppableDatabase database;
    static RunningService service;
    static ApiClient anonymous;
    static List<String> startLines;

    @BeforeAll
    static void start() throws Exception {
        database = StoppableDatabase.start(dir.resolve("pg"));
        try (LogCapture log = LogCapture.start()) {
            service = RunningService.start(dir.resolve("home"), Map.of("dangan.db.url", database.url(),
                    "dangan.db.user", "postgres", "dangan.health.database-timeout-ms", "1000", "dangan.locale", "en"));
            startLines = log.byThread(Thread.currentThread().getName()).stream() // the start runs on this thread
                    .filter(e -> e.getLoggerName().startsWith("dangan.") && e.getLevel().isGreaterOrEqual(Level.INFO))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
        anonymous = ApiClient.withToken(service, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) service.close();
        if (database != null) database.close();
    }

    /** With dangan.locale=en the start's own log lines are English, from the same bundles (StartupFailuresTest: Chinese). */
    @Test
    void theStartLogsInTheConfiguredLanguage() {
        assertThat(startLines).anySatisfy(l -> assertThat(l).startsWith("Dangan is running: drop CSV or XLSX files into "))
                .anySatisfy(l -> assertThat(l).startsWith("Change notifications (D-22): events are recorded; no subscribers"))
                .anySatisfy(l -> assertThat(l).startsWith("Retention (D-31): whole archives after"))
                .allSatisfy(l -> assertThat(l).as("a start line in English").doesNotContainPattern("\\p{IsHan}"));
    }

    @Test
    void readyAndAliveWithoutAToken() throws Exception {
        ApiClient.Reply ready = await("ready once every consumer polled").atMost(Duration.ofSeconds(30))
                .until(() -> anonymous.get("/health/ready"), r -> r.status() == 200);
        assertThat(ready.json().path("status").asText()).isEqualTo("UP");
        assertThat(check(ready.json(), "database").path("status").asText()).isEqualTo("UP");
        assertThat(check(ready.json(), "context").path("status").asText()).isEqualTo("UP");
        assertThat(ready.json().path("checked").asInt()).as("the routes' consumers are checked too").isGreaterThan(20);

        ApiClient.Reply live = anonymous.get("/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().path("status").asText()).isEqualTo("UP");
        assertThat(check(live.json(), "database").isMissingNode()).as("the database is no liveness check").isTrue();
    }

    @Test
    void readinessFollowsTheDatabase() throws Exception {
        database.stop();
        try {
            ApiClient.Reply down = await("readiness DOWN while the database is stopped").atMost(Duration.ofSeconds(30))
                    .until(() -> anonymous.get("/health/ready"), r -> r.status() == 503);
            assertThat(down.json().path("status").asText()).isEqualTo("DOWN");
            JsonNode check = check(down.json(), "database");
            assertThat(check.path("status").asText()).isEqualTo("DOWN");
            assertThat(check.path("message").asText()).startsWith("the archive database");
            assertThat(down.text()).as("no host, port or user in an answer without a token")
                    .doesNotContain("localhost").doesNotContain("postgres").doesNotContain(String.valueOf(database.url().split(":")[3].split("/")[0]));
            assertThat(anonymous.get("/health/live").status()).as("a stopped database does not call for a restart").isEqualTo(200);
        } finally {
            database.restart();
        }
        await("readiness UP when the database is back").atMost(Duration.ofSeconds(60))
                .until(() -> anonymous.get("/health/ready").status() == 200);
    }

    private static JsonNode check(JsonNode answer, String name) {
        for (JsonNode check : answer.path("checks")) {
            if (check.path("name").asText().equals(name)) return check;
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
