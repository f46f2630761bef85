package dangan.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.audit.Exposure;
import dangan.config.Settings;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import picocli.CommandLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** run-job: one scheduled job now, as if the given day had come, its output where the schedule puts it. */
@Tag("service")
class RunJobCommandTest {

    @TempDir
    Path home;

    @Test
    void runsAJobForAGivenDayAndListsTheJobs() throws Exception {
        String db = TestDatabase.freshDatabase();
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.home", home.toString(), "dangan.db.url", db, "dangan.db.user", "postgres",
                        "dangan.master-key", RunningService.TEST_MASTER_KEY));
        // an archive whose contact data was last confirmed long before the day the job runs for
        try (RunningService dangan = RunningService.start(home, Map.of("dangan.db.url", db, "dangan.db.user", "postgres"))) {
            dangan.drop("old.csv", "姓名,手机\n老客户,13912345678\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("old.csv");
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = runJob(settings, out, "staleness", "--date", "2027-06-01");

        assertThat(status).isZero();
        Path feed = home.resolve("outbox/reminders/2027-06-01-staleness.csv");
        assertThat(feed).exists();
        assertThat(Files.readString(feed)).contains("13912345678");
        // recorded in job_run as a scheduled firing is: the job, the day it ran for, who ran it, done (the service that
        // filed the file above may have fired schedules of its own meanwhile, e.g. the relay every 30 s: not counted)
        List<String> runs = Jdbi.create(db, "postgres", "").withHandle(h -> h.createQuery(
                        "select job, scheduled_for, instance, status from job_run where job = 'staleness'")
                .map((rs, ctx) -> rs.getString("job") + " " + rs.getObject("scheduled_for", OffsetDateTime.class).toInstant()
                        .atZone(settings.zone()).toLocalDate() + " " + rs.getString("instance") + " " + rs.getString("status"))
                .list());
        assertThat(runs).containsExactly("staleness 2027-06-01 " + Exposure.cliActor() + " done");

        ByteArrayOutputStream listing = new ByteArrayOutputStream();
        assertThat(runJob(settings, listing, "--list")).isZero();
        assertThat(listing.toString(StandardCharsets.UTF_8)).contains("visit-plan", "greetings", "follow-ups", "completeness",
                "staleness", "notification-relay");
        // each job with when it fires (its dangan.jobs.NAME.cron) and what it does (bundle area jobinfo, in dangan.locale's language)
        assertThat(listing.toString(StandardCharsets.UTF_8).lines().filter(l -> l.strip().startsWith("staleness ")).findFirst())
                .hasValueSatisfying(line -> assertThat(line).contains(settings.get("dangan.jobs.staleness.cron"))
                        .contains("时效评审（D-30）"));
        assertThat(listing.toString(StandardCharsets.UTF_8).lines().filter(l -> l.strip().startsWith("backup ")).findFirst())
                .hasValueSatisfying(line -> assertThat(line).contains(settings.get("dangan.jobs.backup.cron")).contains("备份（D-29）"));
        ByteArrayOutputStream asJson = new ByteArrayOutputStream();
        assertThat(runJob(settings, asJson, "--list", "--json")).isZero();
        assertThat(new ObjectMapper().readTree(asJson.toString(StandardCharsets.UTF_8)).findValuesAsText("schedule"))
                .contains(settings.get("dangan.jobs.visit-plan.cron"), settings.get("dangan.jobs.kpi-report.cron"));
        assertThat(runJob(settings, new ByteArrayOutputStream(), "no-such-job")).isEqualTo(2);
    }

    private static int runJob(Settings settings, ByteArrayOutputStream out, String... args) {
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new CommandLine(new RunJobCommand(new CommandContext(() -> settings, stdout, System.err))).execute(args);
    }
}
