package dangan.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import dangan.support.StoppableDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL stopped and started again — a fast stop (pg_ctl stop -m fast), then a crash (immediate) — under an
 * API burst and a scheduled job
 * (issue 15): four clients read archives without pause, the visit plan fires every 3 seconds. While the
 * database is away every read is answered 503 with the bundle's reason and a Retry-After (never a 500, no stack
 * trace in the log — HikariCP's own warning of a broken connection neither), readiness says DOWN; once it is back the same service (no restart of its own) answers 200
 * again, every read answered 200 has its audit entry, the visit plan runs again and no reminder is issued twice.
 */
@Tag("faults")
class DatabaseOutageUnderLoadTrialsTest {

    @TempDir
    Path dir;

    @Test
    void readsGetA503AndJobsRunAgainWhileAndAfterPostgresIsAway() throws Exception {
        StoppableDatabase database = StoppableDatabase.start(dir.resolve("pg"));
        Path home = dir.resolve("home");
        ExecutorService clients = Executors.newFixedThreadPool(4);
        AtomicBoolean bursting = new AtomicBoolean(true);
        try (RunningService dangan = RunningService.start(home, Map.of("dangan.db.url", database.url(), "dangan.db.user", "postgres",
                "dangan.health.database-timeout-ms", "1000", "dangan.db.connect-timeout-ms", "2000",
                "dangan.jobs.visit-plan.cron", "0/3 * * * * ?"));
             LogCapture log = LogCapture.start()) {
            FiledOnce customers = new FiledOnce("outage-customers.csv", 91, 200);
            customers.drop(home);
            await("customers filed").atMost(Duration.ofSeconds(300)).until(() -> customers.moment(database.url(), home).equals("moved"));
            List<String> archives = dangan.rows("select archive_no from customer order by archive_no limit 40").stream()
                    .map(r -> (String) r.get("archive_no")).toList();
            ApiClient reader = ApiClient.asNewUser(dangan, "outage.reader", Role.FRONT_DESK);
            URI ready = URI.create("http://localhost:" + dangan.httpPort() + "/health/ready");

            Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
            List<String> badAnswers = new CopyOnWriteArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.submit(() -> {
                    for (int i = client; bursting.get(); i++) {
                        try {
                            ApiClient.Reply reply = reader.get("/api/archives/" + archives.get(i % archives.size()) + "?purpose=check-in");
                            answers.computeIfAbsent(reply.status(), s -> new AtomicLong()).incrementAndGet();
                            if (reply.status() == 503 && (reply.json() == null || !reply.json().path("error").asText().contains("数据库"))) {
                                badAnswers.add("503 without the reason: " + reply.text());
                            }
                        } catch (Exception e) {
                            badAnswers.add("no answer: " + e);
                        }
                    }
                    return null;
                });
            }
            await("reads answered").atMost(Duration.ofSeconds(180)).until(() -> ok(answers) >= 20);
            // a fast stop (pg_ctl stop -m fast), then a crash (immediate: recovery from the WAL), each under the burst
            Map<String, String> readiness = new java.util.LinkedHashMap<>();
            for (String mode : List.of("fast", "immediate")) {
                long refusedBefore = count(answers, 503) + count(answers, 500);
                if (mode.equals("fast")) database.stop();
                else database.crash();
                int whileAway = await("readiness while PostgreSQL is away").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> status(ready), s -> s != 200);
                await("reads refused while away").atMost(Duration.ofSeconds(180))
                        .until(() -> count(answers, 503) + count(answers, 500) >= refusedBefore + 20);
                long okBefore = ok(answers);
                database.restart();
                int after = await("ready again").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                        .until(() -> status(ready), s -> s == 200);
                await("reads answered again").atMost(Duration.ofSeconds(180)).until(() -> ok(answers) >= okBefore + 20);
                readiness.put(mode, whileAway + " while away, " + after + " after");
            }
            long restartedAt = System.currentTimeMillis();
            await("the visit plan runs again").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> dangan.count("select count(*) from job_run where job = 'visit-plan' and status = 'done'"
                            + " and started_at > to_timestamp(?)", restartedAt / 1000.0) >= 1);
            bursting.set(false);
            clients.shutdown();
            clients.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);

            long answered = ok(answers);
            long audited = dangan.count("select count(*) from audit_log where actor = 'outage.reader' and outcome = 'ok'");
            long reminders = dangan.count("select count(*) from reminder");
            long distinct = dangan.count("select count(distinct (customer_id, kind, owner_role, due_on, subject)) from reminder");
            List<String> traces = log.byThread("").stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) && e.getThrowableProxy() != null
                            && e.getFormattedMessage().contains("/api/archives/"))
                    .map(ILoggingEvent::getFormattedMessage).toList();
            // an expected fault is one line, never a stack trace: also HikariCP's own warning of a connection broken
            List<String> poolTraces = log.byThread("").stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().startsWith("com.zaxxer.hikari") && e.getThrowableProxy() != null)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            Set<Integer> statuses = new TreeMap<>(answers).keySet();
            boolean readyHeld = readiness.values().stream().allMatch(r -> r.equals("503 while away, 200 after"));
            boolean held = statuses.equals(Set.of(200, 503)) && badAnswers.isEmpty() && readyHeld
                    && audited >= answered && reminders == distinct && reminders >= customers.valid() && poolTraces.isEmpty();
            Trials.record("PostgreSQL restart under an API burst and a scheduled job",
                    "fast stop, then a crash (immediate), mid-burst, visit plan every 3 s",
                    "200 or a clean 503 (never 500), readiness DOWN while away, every 200 audited; the job runs again, nothing twice",
                    "answers " + new TreeMap<>(answers) + ", " + badAnswers.size() + " unclean; ready " + readiness + "; "
                            + answered + " reads answered, " + audited + " audited; " + reminders + " reminders ("
                            + (reminders - distinct) + " twice); api stack traces " + traces.size() + ", pool stack traces "
                            + poolTraces.size(), held);
            assertThat(badAnswers).isEmpty();
            assertThat(poolTraces).as("HikariCP's warnings with a stack trace").isEmpty();
            assertThat(statuses).as("answers " + answers).containsExactly(200, 503);
            assertThat(readiness).allSatisfy((mode, r) -> assertThat(r).as(mode).isEqualTo("503 while away, 200 after"));
            assertThat(audited).isGreaterThanOrEqualTo(answered);
            assertThat(reminders).isEqualTo(distinct).isGreaterThanOrEqualTo(customers.valid());
        } finally {
            bursting.set(false);
            clients.shutdownNow();
            database.close();
        }
    }

    private static long ok(Map<Integer, AtomicLong> answers) {
        return count(answers, 200);
    }

    private static long count(Map<Integer, AtomicLong> answers, int status) {
        AtomicLong n = answers.get(status);
        return n == null ? 0 : n.get();
    }

    private static int status(URI uri) {
        return DatabaseRestartTrialsTest.status(uri);
    }
}
