package dangan.jobs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.normalise.Masking;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import dangan.support.SmallDisk;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A scheduled job's firing that fails (routes/jobs.yaml, {@link JobFailures}), through the real schedule: the test
 * fires the staleness job and the backup through the service's Quartz scheduler (a one-off firing: no next firing
 * bounds its retries; their own schedules are the defaults, far away). A passing fault (the job's session ended by the
 * server, SQLSTATE 57P01) is tried again within the same firing and then done — one job_run row with its two
 * attempts, one warning line — but never at or past the firing's next one (a schedule repeating sooner than the
 * retry's delay: given up in one line); a failure for another reason (the statement cancelled, 57014) is not retried; the
 * backup on a full disk is tried again and given up, each attempt one log line that names the folder, never a
 * stack trace, and the next firing once there is space succeeds.
 */
@Tag("service")
class ScheduledJobFailuresTest {

    @TempDir
    static Path home;
    private static SmallDisk backups;
    private static RunningService dangan;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        backups = SmallDisk.mount(home.resolve("backups"), 4 * 1024 * 1024);
        url = TestDatabase.freshDatabase();
        dangan = RunningService.start(home, Map.of("dangan.db.url", url, "dangan.db.user", "postgres",
                "dangan.backup.folder", backups.folder().toString(), "dangan.backup.keep", "1",
                "dangan.jobs.retry.attempts", "2", "dangan.jobs.retry.delay-ms", "300", "dangan.jobs.retry.max-delay-ms", "600"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (dangan != null) dangan.close();
        } finally {
            if (backups != null) backups.close();
        }
    }

    @Test
    void aPassingFaultIsRetriedWithinTheFiringAndRecordedOnce() throws Exception {
        long from = lastRun("staleness");
        try (LogCapture log = LogCapture.start()) {
            int ended = inTheWayOfStaleness("pg_terminate_backend"); // 57P01: the server ended the session, as a restart does
            await("the firing retried and done").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> dangan.count("select count(*) from job_run where job = 'staleness' and id > ? and attempts > 1", from) >= 1);
            Map<String, Object> run = dangan.row("select status, attempts, scheduled_for from job_run"
                    + " where job = 'staleness' and id > ? and attempts > 1 order by id limit 1", from);
            assertThat(ended).isPositive();
            assertThat(run.get("status")).isEqualTo("done");
            assertThat(run.get("attempts")).isEqualTo(2);
            assertThat(dangan.count("select count(*) from job_run where job = 'staleness' and scheduled_for = ?", run.get("scheduled_for")))
                    .as("one row per firing").isEqualTo(1);
            assertThat(dangan.count("select count(*) from job_run where job = 'staleness' and id > ? and status = 'failed'", from)).isZero();
            List<ILoggingEvent> lines = jobLines(log, "staleness");
            assertThat(lines).as("one warning per failed attempt, no stack trace").isNotEmpty()
                    .allSatisfy(e -> {
                        assertThat(e.getLevel()).isEqualTo(Level.WARN);
                        assertThat(e.getThrowableProxy()).isNull();
                        assertThat(e.getFormattedMessage()).contains("定时任务 staleness").contains("数据库暂时无法使用").contains("第 2 次尝试");
                    });
        }
    }

    @Test
    void aFailureForAnotherReasonIsNotRetried() throws Exception {
        long from = lastRun("staleness");
        try (LogCapture log = LogCapture.start()) {
            inTheWayOfStaleness("pg_cancel_backend"); // 57014: the statement was cancelled, not the database gone
            await("the failed firing recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> dangan.count("select count(*) from job_run where job = 'staleness' and id > ? and status = 'failed'", from) >= 1);
            Map<String, Object> run = dangan.row("select attempts, error from job_run where job = 'staleness' and id > ?"
                    + " and status = 'failed' order by id limit 1", from);
            assertThat(run.get("attempts")).isEqualTo(1);
            assertThat(String.valueOf(run.get("error"))).isEqualTo("任务失败：数据库取消了正在执行的语句（详情见服务日志）");
            List<ILoggingEvent> lines = jobLines(log, "staleness");
            assertThat(lines).as("one error line, not retried").isNotEmpty().allSatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                assertThat(e.getThrowableProxy()).isNull();
                assertThat(e.getFormattedMessage()).contains("这不是暂时的故障，不重试").contains("此任务没有下次计划运行");
            });
        }
    }

    @Test
    void theBackupOnAFullDiskIsRetriedAndGivenUpInOneLinePerAttemptThenTheNextFiringSucceeds() throws Exception {
        long from = lastRun("backup");
        Map<String, Object> run;
        List<ILoggingEvent> aboutTheFolder;
        try (LogCapture log = LogCapture.start()) {
            backups.fill(0);
            fire("backup");
            try {
                await("a backup failed on the full disk").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> dangan.count("select count(*) from job_run where job = 'backup' and id > ? and status = 'failed'", from) >= 1);
                run = dangan.row("select id, attempts, error from job_run where job = 'backup' and id > ? and status = 'failed'"
                        + " order by id limit 1", from);
            } finally {
                backups.freeUp();
            }
            // Camel's own lines would name the folder as it is; Dangan's keep long digit runs masked (an ID number may be among them)
            String folder = backups.folder().toString();
            String masked = Masking.maskIdLikeRuns(folder);
            aboutTheFolder = log.byThread("").stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)
                    && (e.getFormattedMessage().contains(folder) || e.getFormattedMessage().contains(masked)
                    || e.getThrowableProxy() != null && String.valueOf(e.getThrowableProxy().getMessage()).contains(folder))).toList();
        }
        long failedId = ((Number) run.get("id")).longValue();
        fire("backup");
        await("the next backup done").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> dangan.count("select count(*) from job_run where job = 'backup' and id > ? and status = 'done'", failedId) >= 1);

        assertThat(run.get("attempts")).isEqualTo(2);
        assertThat(String.valueOf(run.get("error"))).contains(Masking.maskIdLikeRuns(backups.folder().toString())).contains("磁盘已满");
        assertThat(aboutTheFolder).as("every warning about the full disk is one of JobFailures, without a stack trace")
                .isNotEmpty().allSatisfy(e -> {
                    assertThat(e.getLoggerName()).isEqualTo(JobFailures.class.getName());
                    assertThat(e.getThrowableProxy()).isNull();
                    assertThat(e.getFormattedMessage()).contains("定时任务 backup").contains("磁盘已满");
                });
        assertThat(aboutTheFolder).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("秒后第 2 次尝试"));
        assertThat(aboutTheFolder).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("已尝试 2 次，不再重试"));
    }

    @Test
    void everyJobRouteLeavesItsFailureToWhoeverRanItAndEveryScheduleRetries() {
        List<org.apache.camel.Route> routes = dangan.service().camelContext().getRoutes();
        assertThat(routes.stream().filter(r -> r.getRouteId().startsWith("job-")))
                .as("a job route with an error handler of its own would log Camel's stack trace and keep its schedule from retrying")
                .isNotEmpty().allSatisfy(r -> assertThat(r.getConfigurationId()).as(r.getRouteId()).isEqualTo("job-work"));
        assertThat(routes.stream().filter(r -> r.getRouteId().startsWith("schedule-")))
                .isNotEmpty().allSatisfy(r -> assertThat(r.getConfigurationId()).as(r.getRouteId()).isEqualTo("jobs"));
    }

    @Test
    void aPassingFaultIsNotRetriedAtOrPastTheNextFiring() throws Exception {
        // a schedule whose next firing comes 200 ms after this one: sooner than the retry's delay (300 ms) would
        org.quartz.Scheduler scheduler = dangan.bean("quartz", org.apache.camel.component.quartz.QuartzComponent.class).getScheduler();
        // due late in a second, so that the next firing's lines (its due time a second later) are told from this one's
        java.util.Date due = new java.util.Date((System.currentTimeMillis() / 1000 + 1) * 1000 + 900);
        java.sql.Timestamp dueTime = new java.sql.Timestamp(due.getTime());
        try (LogCapture log = LogCapture.start()) {
            int ended = inTheWayOfStaleness("pg_terminate_backend", () -> scheduler.scheduleJob(org.quartz.TriggerBuilder.newTrigger()
                    .forJob(org.quartz.JobKey.jobKey("staleness", "dangan")).startAt(due)
                    .withSchedule(org.quartz.SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(200).withRepeatCount(1))
                    .build()));
            await("the firing given up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> dangan.count("select count(*) from job_run where job = 'staleness' and scheduled_for = ?", dueTime) >= 1);
            Map<String, Object> run = dangan.row("select status, attempts from job_run where job = 'staleness' and scheduled_for = ?", dueTime);
            assertThat(ended).isPositive();
            assertThat(run).as("a passing fault, yet not tried again: the next firing does the work")
                    .containsEntry("status", "failed").containsEntry("attempts", 1);
            String shownDue = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                    .format(due.toInstant().atZone(java.time.ZoneId.of("Asia/Shanghai")));
            assertThat(jobLines(log, "staleness")).filteredOn(e -> e.getFormattedMessage().contains("计划于 " + shownDue))
                    .as("one error line for the firing, no retry line").singleElement().satisfies(e -> {
                        assertThat(e.getLevel()).isEqualTo(Level.ERROR);
                        assertThat(e.getThrowableProxy()).isNull();
                        assertThat(e.getFormattedMessage()).contains("数据库暂时无法使用").contains("下次计划运行前来不及重试")
                                .contains("下次计划运行：");
                    });
        }
    }

    /**
     * Holds the reminder table locked until a firing of the staleness job waits for it, then ends that job's
     * statement with {@code function} (pg_terminate_backend or pg_cancel_backend) and lets go. The number of
     * sessions it ended.
     */
    private static int inTheWayOfStaleness(String function) throws Exception {
        return inTheWayOfStaleness(function, () -> fire("staleness"));
    }

    /** A step of a test that may throw. */
    private interface Step {
        void run() throws Exception;
    }

    /** As above, the job fired by {@code firing}. */
    private static int inTheWayOfStaleness(String function, Step firing) throws Exception {
        Jdbi jdbi = Jdbi.create(url);
        try (Handle holder = jdbi.open()) {
            holder.begin();
            holder.execute("lock table reminder in access exclusive mode");
            firing.run();
            String waiting = """
                    from pg_stat_activity where datname = current_database() and application_name like 'dangan-%'
                      and wait_event_type = 'Lock' and query ilike '%insert into reminder%' and query ilike '%staleness%'""";
            await("a firing of staleness waiting for the lock").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> jdbi.withHandle(h -> h.createQuery("select count(*) " + waiting).mapTo(Long.class).one()) > 0);
            int ended = jdbi.withHandle(h -> h.createQuery("select count(*) filter (where " + function + "(pid)) " + waiting)
                    .mapTo(Integer.class).one());
            holder.rollback();
            return ended;
        }
    }

    @Test
    void aDueTimeFiredTwiceIsRunOnce() throws Exception {
        // a stalled instance's acquired trigger, recovered by another instance, fires its due time a second time
        // (TwoInstancesTrialsTest saw it at load 50–90): two triggers of one job at one due time stand for it
        org.quartz.Scheduler scheduler = dangan.bean("quartz", org.apache.camel.component.quartz.QuartzComponent.class).getScheduler();
        java.util.Date due = new java.util.Date(System.currentTimeMillis() + 1_000);
        java.sql.Timestamp dueTime = new java.sql.Timestamp(due.getTime());
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 2; i++) {
                scheduler.scheduleJob(org.quartz.TriggerBuilder.newTrigger().forJob(org.quartz.JobKey.jobKey("staleness", "dangan"))
                        .startAt(due).build());
            }
            await("the second firing skipped, the first recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !skipped(log, "staleness").isEmpty()
                            && dangan.count("select count(*) from job_run where job = 'staleness' and scheduled_for = ?", dueTime) >= 1);
            assertThat(dangan.count("select count(*) from job_run where job = 'staleness' and scheduled_for = ?", dueTime))
                    .as("the due time run once").isEqualTo(1);
            assertThat(dangan.count("select count(*) from job_firing where job = 'staleness' and scheduled_for = ?", dueTime)).isEqualTo(1);
            assertThat(skipped(log, "staleness")).as("one line for the skipped firing").hasSize(1)
                    .allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.INFO));
        }
    }

    @Test
    void aFiringWhoseTakeFailedIsNotRecordedWhenAnotherInstanceRanItsDueTime() throws Exception {
        // under load a firing's take of its due time can fail (here its statement cancelled: not retried) while another
        // instance, firing the same due time (a recovered trigger), takes it and runs the job; the failed firing ran
        // nothing, and job_run keeps one row per due time (TwoInstancesTrialsTest saw the due time twice at load 50)
        org.quartz.Scheduler scheduler = dangan.bean("quartz", org.apache.camel.component.quartz.QuartzComponent.class).getScheduler();
        java.util.Date due = new java.util.Date(System.currentTimeMillis() + 1_000);
        java.sql.Timestamp dueTime = new java.sql.Timestamp(due.getTime());
        Jdbi jdbi = Jdbi.create(url);
        try (LogCapture log = LogCapture.start(); Handle other = jdbi.open()) {
            other.begin();
            other.execute("lock table job_firing in exclusive mode");
            scheduler.scheduleJob(org.quartz.TriggerBuilder.newTrigger().forJob(org.quartz.JobKey.jobKey("staleness", "dangan"))
                    .startAt(due).build());
            String taking = """
                    from pg_stat_activity where datname = current_database() and application_name like 'dangan-%'
                      and wait_event_type = 'Lock' and query ilike '%job_firing%'""";
            await("the firing's take waiting for the lock").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> jdbi.withHandle(h -> h.createQuery("select count(*) " + taking).mapTo(Long.class).one()) > 0);
            other.execute("insert into job_firing (job, scheduled_for, instance) values ('staleness', ?, 'the-other-instance')", dueTime);
            int cancelled = jdbi.withHandle(h -> h.createQuery("select count(*) filter (where pg_cancel_backend(pid)) " + taking)
                    .mapTo(Integer.class).one());
            other.commit();
            await("the firing skipped, or recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !skipped(log, "staleness").isEmpty()
                            || dangan.count("select count(*) from job_run where job = 'staleness' and scheduled_for = ?", dueTime) > 0);
            assertThat(cancelled).isPositive();
            assertThat(dangan.count("select count(*) from job_run where job = 'staleness' and scheduled_for = ?", dueTime))
                    .as("the other instance's run is the due time's only one").isZero();
            assertThat(skipped(log, "staleness")).as("one line for the skipped firing").hasSize(1);
        }
    }

    /** The lines JobRuns logged about a firing of the job it skipped: its due time was taken by another firing. */
    private static List<ILoggingEvent> skipped(LogCapture log, String job) {
        return log.byThread("").stream().filter(e -> e.getLoggerName().equals(JobRuns.class.getName())
                && e.getFormattedMessage().contains("定时任务 " + job + "（") && e.getFormattedMessage().contains("跳过")).toList();
    }

    /** Fires the job now through the service's own Quartz scheduler, as its schedule does (route schedule-JOB). */
    private static void fire(String job) throws Exception {
        dangan.bean("quartz", org.apache.camel.component.quartz.QuartzComponent.class).getScheduler()
                .triggerJob(org.quartz.JobKey.jobKey(job, "dangan"));
    }

    private static long lastRun(String job) throws Exception {
        return dangan.count("select coalesce(max(id), 0) from job_run where job = ?", job);
    }

    /** The lines JobFailures logged about the job. */
    private static List<ILoggingEvent> jobLines(LogCapture log, String job) {
        return log.byThread("").stream().filter(e -> e.getLoggerName().equals(JobFailures.class.getName())
                && e.getFormattedMessage().contains("定时任务 " + job + "（")).toList();
    }
}
