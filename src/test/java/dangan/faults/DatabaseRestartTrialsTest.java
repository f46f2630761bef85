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
import java.nio.file.Files;
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
 * filed, an immediate one (SIGQUIT: a crash, recovery from the WAL) while the next is, and both while the
 * visit plan's firing is stopped mid-run ({@code FaultPoint}: in its transaction, then before its feed). The
 * service — a separate process — recovers without a restart of its own: readiness says the database is away
 * while it is, each cut file is retried and filed exactly once, never set aside in failed/, and the cut job
 * is tried again within its firing (dangan.jobs.retry.*) and done once.
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
        Map<String, String> settings = ServiceProcess.settings(home, Map.ofEntries(Map.entry("dangan.db.url", database.url()),
                Map.entry("dangan.db.user", "postgres"), Map.entry("dangan.health.database-timeout-ms", "1000"),
                Map.entry("dangan.db.connect-timeout-ms", "2000"),
                // the visit plan every 30 s, stopped twice in the firing that first issues reminders; retried every 0.25–2 s
                Map.entry("dangan.jobs.visit-plan.cron", "0/30 * * * * ?"), Map.entry("dangan.jobs.retry.attempts", "100"),
                Map.entry("dangan.jobs.retry.delay-ms", "250"), Map.entry("dangan.jobs.retry.max-delay-ms", "2000"),
                Map.entry("dangan.faults.pause-at", "issued@visit-plan,committed@visit-plan")));
        ServiceProcess service = ServiceProcess.launch(home, settings, "dangan.app.Dangan", List.of());
        try {
            service.awaitLog(ServiceProcess.READY, ServiceProcess.START);
            URI ready = URI.create("http://localhost:" + settings.get("dangan.http.port") + "/health/ready");
            await("ready").atMost(Duration.ofSeconds(180)).until(() -> status(ready) == 200);
            theVisitPlanStoppedTwiceMidRunIsDoneOnceInItsFiring(database, home, service, ready);
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

    /**
     * The visit plan's firing that first issues reminders is stopped twice: in its transaction, its reminders
     * inserted ({@code issued}), PostgreSQL crashes (immediate); tried again once the database is back, it
     * commits and is stopped before its feed ({@code committed}), PostgreSQL is stopped (fast). The same firing,
     * tried again with back-off, ends done: one job_run row with its attempts, every reminder once, the feed
     * listing each once, one visit-plan event per role — without a restart of the service.
     */
    private static void theVisitPlanStoppedTwiceMidRunIsDoneOnceInItsFiring(StoppableDatabase database, Path home,
                                                                           ServiceProcess service, URI ready) throws Exception {
        FiledOnce customers = new FiledOnce("job-customers.csv", 61, 600);
        customers.drop(home);
        await(customers.name() + " filed").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
                .until(() -> customers.moment(database.url(), home).equals("moved"));
        List<String> away = new java.util.ArrayList<>();
        for (String moment : List.of("issued", "committed")) {
            Path marker = home.resolve("paused").resolve(moment + "@visit-plan");
            await("the visit plan at " + moment).atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!service.isAlive()) throw new AssertionError("the service ended:\n" + service.tail());
                return Files.exists(marker);
            });
            if (moment.equals("issued")) database.crash();
            else database.stop();
            Files.delete(marker);
            away.add(moment + ": ready " + await("readiness while PostgreSQL is away").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> status(ready), st -> st != 200) + " while away");
            database.restart();
        }
        try (Connection c = DriverManager.getConnection(database.url(), "postgres", null)) {
            await("the stopped firing done").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(200))
                    .until(() -> FiledOnce.count(c, "select count(*) from job_run where job = 'visit-plan' and attempts > 1") > 0);
            List<String> runs = new java.util.ArrayList<>();
            try (var rs = c.createStatement().executeQuery("select status, attempts, count(*) over (partition by scheduled_for) as rows"
                    + " from job_run where job = 'visit-plan' and attempts > 1")) {
                while (rs.next()) runs.add(rs.getString(1) + " after " + rs.getInt(2) + " attempts, " + rs.getInt(3) + " row(s) for its due time");
            }
            long reminders = FiledOnce.count(c, "select count(*) from reminder r join customer k on k.id = r.customer_id"
                    + " where r.job = 'visit-plan' and k.mobile like ?", customers.mobilePrefix() + "%");
            long distinct = FiledOnce.count(c, "select count(distinct (customer_id, kind, owner_role, due_on, subject)) from reminder");
            long all = FiledOnce.count(c, "select count(*) from reminder");
            long issuedToday = FiledOnce.count(c, "select count(*) from reminder where job = 'visit-plan' and issued_on = ?",
                    java.time.LocalDate.now()); // the test runs in the service's zone (Asia/Shanghai)
            long events = FiledOnce.count(c, "select count(*) from notification_event where kind = 'visit_plan'");
            long eventRoles = FiledOnce.count(c, "select count(distinct (payload->>'day', payload->>'owner_role')) from notification_event"
                    + " where kind = 'visit_plan'");
            long listed = feedRows(home);
            boolean held = runs.size() == 1 && runs.get(0).startsWith("done after ") && !runs.get(0).startsWith("done after 1 ")
                    && runs.get(0).endsWith(" 1 row(s) for its due time") && reminders >= customers.valid() && distinct == all
                    && listed == issuedToday && events == eventRoles && service.isAlive();
            Trials.record("PostgreSQL restart mid-job", "visit plan stopped in its transaction (immediate), then before its feed (fast)",
                    "retried in the same firing with back-off and done once: one job_run row, reminders, feed lines and events once",
                    String.join("; ", away) + "; runs " + runs + "; " + reminders + " reminders (" + (all - distinct) + " twice), feed lists "
                            + listed + " of " + issuedToday + ", " + events + " visit-plan events for " + eventRoles + " role(s)", held);
            assertThat(runs).as(service.tail()).hasSize(1);
            assertThat(runs.get(0)).startsWith("done after ").doesNotStartWith("done after 1 ").endsWith(" 1 row(s) for its due time");
            assertThat(reminders).isGreaterThanOrEqualTo(customers.valid());
            assertThat(distinct).isEqualTo(all);
            assertThat(listed).isEqualTo(issuedToday);
            assertThat(events).isEqualTo(eventRoles);
        }
    }

    /** The data rows of today's visit-plan feed ({@code outbox/reminders/<date>.csv}), or -1 when there is none. */
    static long feedRows(Path home) throws Exception {
        Path csv = home.resolve("outbox").resolve("reminders").resolve(java.time.LocalDate.now() + ".csv");
        if (!Files.isRegularFile(csv)) return -1;
        String text = Files.readString(csv, java.nio.charset.StandardCharsets.UTF_8).substring(1); // the BOM
        return org.apache.commons.csv.CSVFormat.EXCEL.builder().setHeader().get().parse(new java.io.StringReader(text)).getRecords().size();
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
