package dangan.faults;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import dangan.support.SmallDisk;
import dangan.support.TestDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A full disk (issue 15): {@code outbox/rejects} and {@code outbox/reminders} each a real small filesystem
 * (a tmpfs, {@link SmallDisk}), filled to the last byte. A file filed meanwhile is filed (done, in done/),
 * its reject report is not written — no {@code .part} left on the full disk, the ledger says the report is
 * pending, the warning names the folder — and once the space is back the next file's run writes it from the
 * database. A visit plan run meanwhile fails with an error that names the folder (the job's run says so), leaves
 * no part of its feed, keeps the reminders it issued; run again once there is space, it writes the whole feed
 * and issues nothing twice.
 */
@Tag("faults")
class DiskFullTrialsTest {

    private static final int LINES = 1_000;
    private static final FiledOnce FEED_CUSTOMERS = new FiledOnce("feed-customers.csv", 83, LINES);

    @TempDir
    static Path home;
    private static SmallDisk rejects;
    private static SmallDisk feeds;
    private static RunningService dangan;
    private static String database;

    @BeforeAll
    static void start() throws Exception {
        rejects = SmallDisk.mount(home.resolve("outbox").resolve("rejects"), 4 * 1024 * 1024);
        try {
            feeds = SmallDisk.mount(home.resolve("outbox").resolve("reminders"), 4 * 1024 * 1024);
        } catch (Throwable e) {
            rejects.close();
            throw e;
        }
        database = TestDatabase.freshDatabase();
        dangan = RunningService.start(home, Map.of("dangan.db.url", database, "dangan.db.user", "postgres"));
        FEED_CUSTOMERS.drop(home); // the visit plan's customers, filed before either disk is full
        awaitFiled(FEED_CUSTOMERS);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (dangan != null) dangan.close();
        } finally {
            if (feeds != null) feeds.close();
            if (rejects != null) rejects.close();
        }
    }

    @Test
    void aRejectReportOnAFullDiskIsWrittenFromTheDatabaseOnceThereIsSpace() throws Exception {
        FiledOnce first = new FiledOnce("full-disk-a.csv", 81, LINES);
        FiledOnce second = new FiledOnce("full-disk-b.csv", 82, LINES);
        rejects.fill(0);
        List<ILoggingEvent> warnings;
        try (LogCapture log = LogCapture.start()) {
            first.drop(home);
            awaitFiled(first);
            warnings = LogCapture.warnings(log.byThread("registrations"));
        }
        long pending = dangan.count("select count(*) from ingest where source_name = ? and status = 'done' and report_pending", first.name());
        List<String> onTheFullDisk = rejects.files().stream().filter(f -> f.contains(first.name()) || f.endsWith(".part")).toList();
        boolean named = warnings.stream().anyMatch(w -> w.getFormattedMessage().contains(rejects.folder().toString())
                && w.getFormattedMessage().contains("No space left on device"));

        rejects.freeUp();
        second.drop(home);
        awaitFiled(second);
        List<String> problems = new java.util.ArrayList<>(first.problems(database, home));
        problems.addAll(second.problems(database, home));
        boolean held = pending == 1 && onTheFullDisk.isEmpty() && named && problems.isEmpty();
        Trials.record("disk full: reject report", "outbox/rejects full while " + first.name() + " is filed",
                "filed; no partial report; ledger: report pending; warning names the folder; written once space is back",
                "report pending " + pending + ", files on the full disk " + onTheFullDisk + ", warning names the folder: " + named
                        + "; after: " + first.observed(problems), held);
        assertThat(onTheFullDisk).as("nothing left on the full disk").isEmpty();
        assertThat(pending).as("the ledger says the report is pending").isEqualTo(1);
        assertThat(named).as("a warning names the folder and the reason: " + warnings).isTrue();
        assertThat(problems).isEmpty();
    }

    @Test
    void aFeedOnAFullDiskLeavesNoPartAndIsWrittenWholeByTheNextRun() throws Exception {
        FiledOnce customers = FEED_CUSTOMERS;
        ApiClient admin = ApiClient.asNewUser(dangan, "diskfull-admin", Role.ADMIN);
        feeds.fill(0);
        ApiClient.Reply failed = admin.post("/api/jobs/visit-plan/run", "{}");
        List<String> onTheFullDisk = feeds.files();
        long issued = dangan.count("select count(*) from reminder r join customer c on c.id = r.customer_id where c.mobile like ?",
                customers.mobilePrefix() + "%");
        Map<String, Object> failedRun = dangan.row("select status, error from job_run where job = 'visit-plan' order by id desc limit 1");

        feeds.freeUp();
        ApiClient.Reply again = admin.post("/api/jobs/visit-plan/run", "{}");
        long issuedAfter = dangan.count("select count(*) from reminder r join customer c on c.id = r.customer_id where c.mobile like ?",
                customers.mobilePrefix() + "%");
        long distinct = dangan.count("select count(distinct (customer_id, kind, owner_role, due_on, subject)) from reminder");
        long all = dangan.count("select count(*) from reminder");
        long listed = feedRows();
        String error = String.valueOf(failedRun.get("error"));
        // the run's error keeps long digit runs masked (an ID number may be among them): the folder's own name is checked
        boolean named = error.contains("outbox/reminders") && error.contains("磁盘已满"); // the kind of failure, from the bundles
        boolean held = "failed".equals(failedRun.get("status")) && named && onTheFullDisk.isEmpty() && issued == customers.valid()
                && "done".equals(again.json().path("status").asText()) && issuedAfter == issued && distinct == all && listed == issued;
        Trials.record("disk full: feed", "outbox/reminders full while the visit plan runs",
                "run failed naming the folder; no partial feed; reminders kept; the next run writes the whole feed, nothing twice",
                "run " + failedRun.get("status") + " (error names the folder: " + named + "), files on the full disk " + onTheFullDisk
                        + ", " + issued + " reminders issued; next run " + again.json().path("status").asText() + ", " + issuedAfter
                        + " reminders (" + (all - distinct) + " twice), feed lists " + listed, held);
        assertThat(failed.json().path("status").asText()).isEqualTo("failed");
        assertThat(failedRun.get("status")).isEqualTo("failed");
        assertThat(error).contains("outbox/reminders").contains("磁盘已满").doesNotContain("No space left on device");
        assertThat(onTheFullDisk).as("no part of the feed left on the full disk").isEmpty();
        assertThat(issued).isEqualTo(customers.valid());
        assertThat(again.json().path("status").asText()).as(again.text()).isEqualTo("done");
        assertThat(issuedAfter).isEqualTo(issued);
        assertThat(distinct).isEqualTo(all);
        assertThat(listed).isEqualTo(issued);
    }

    /** The data rows of the visit plan's feed of the day ({@code <date>.csv}), or -1 when there is none. */
    private static long feedRows() throws Exception {
        try (var files = Files.list(feeds.folder())) {
            Path csv = files.filter(f -> f.getFileName().toString().matches("\\d{4}-\\d{2}-\\d{2}\\.csv")).findFirst().orElse(null);
            if (csv == null) return -1;
            String text = Files.readString(csv, StandardCharsets.UTF_8).substring(1); // the BOM
            return org.apache.commons.csv.CSVFormat.EXCEL.builder().setHeader().get().parse(new java.io.StringReader(text))
                    .getRecords().size();
        }
    }

    private static void awaitFiled(FiledOnce file) {
        await(file.name() + " filed").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100))
                .until(() -> file.moment(database, home).equals("moved"));
    }
}
