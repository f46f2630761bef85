package dangan.app;

import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Camel contexts on one database share the Quartz cluster: each firing of a job runs once. */
@Tag("service")
class ClusteredScheduleTest {

    @TempDir
    Path home;

    @Test
    void twoInstancesFireEachJobOnce() throws Exception {
        Map<String, String> shared = Map.of(
                "dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.jobs.staleness.cron", "* * * * * ?", // every second, on both instances
                "dangan.jobs.cluster-checkin-ms", "1000");
        try (RunningService first = RunningService.start(home, shared);
             RunningService second = RunningService.start(home, shared)) {
            await("six runs of the staleness job recorded").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> first.count("select count(*) from job_run where job = 'staleness'"), n -> n >= 6);
            assertThat(first.count("select count(*) from job_run where job = 'staleness'"))
                    .isEqualTo(first.count("select count(distinct scheduled_for) from job_run where job = 'staleness'"));
            assertThat(first.count("select count(*) from job_run where job = 'staleness' and status <> 'done'")).isZero();
        }
    }
}
