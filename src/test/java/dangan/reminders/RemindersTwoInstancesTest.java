package dangan.reminders;

import dangan.jobs.JobDate;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Two instances on one database running the same job for the same day at once: each reminder is issued once. */
@Tag("service")
class RemindersTwoInstancesTest {

    @TempDir
    Path homeA;
    @TempDir
    Path homeB;

    @Test
    void twoInstancesRunningOneDayIssueEachReminderOnce() throws Exception {
        Map<String, String> shared = Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres");
        try (RunningService a = RunningService.start(homeA, shared); RunningService b = RunningService.start(homeB, shared)) {
            StringBuilder csv = new StringBuilder("姓名,手机,营销同意\n");
            for (int i = 0; i < 200; i++) csv.append("客人").append(i).append(",1380000").append(String.format("%04d", i)).append(",是\n");
            a.drop("many.csv", csv.toString(), StandardCharsets.UTF_8);
            a.awaitHandled("many.csv");
            LocalDate day = LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).plusDays(3);

            List<CompletableFuture<Void>> runs = List.of(a, b, a, b).stream()
                    .map(s -> CompletableFuture.runAsync(() -> s.service().camelContext().createProducerTemplate()
                            .sendBodyAndHeader("direct:job-visit-plan", null, JobDate.HEADER, day)))
                    .toList();
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get();

            // tier E (none set): one outreach-staff phone call per archive, due a month after creation
            assertThat(a.count("select count(*) from reminder")).isEqualTo(200);
            assertThat(a.count("select count(distinct customer_id) from reminder")).isEqualTo(200);
            for (Path home : List.of(homeA, homeB)) {
                List<String> lines = Files.readAllLines(home.resolve("outbox").resolve("reminders").resolve(day + ".csv"));
                assertThat(lines).hasSize(201);
            }
        }
    }
}
