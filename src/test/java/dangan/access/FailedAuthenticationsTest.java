package dangan.access;

import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Failed authentications are audited one by one up to a limit per address and minute; then 429 and one entry. */
@Tag("service")
class PerMinuteLimitTest {

    @Test
    void pastTheLimitAnAddressGets429AndTheAuditLogOneEntry(@TempDir Path home) throws Exception {
        try (RunningService dangan = RunningService.start(home, Map.of(
                "dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.api.auth-failures-per-minute", "3"))) {
            ApiClient staff = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK);
            ApiClient forger = ApiClient.withToken(dangan, "dgn_" + "B".repeat(43));

            // the limit counts per minute: the six attempts must fall into one, so start early in a minute
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.now().getEpochSecond() % 60 < 40);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) statuses.add(forger.get("/api/me").status());

            assertThat(statuses).containsExactly(401, 401, 401, 429, 429, 429);
            assertThat(dangan.count("select count(*) from audit_log where outcome = 'denied' and actor = 'anonymous'")).isEqualTo(4);
            assertThat(dangan.count("select count(*) from audit_log where detail like '来自 % 的认证在一分钟内失败超过 3 次：%'"
                    + " and detail not like '来自 unknown %'")).as("the remote address is named").isEqualTo(1);
            // a valid token from the same address still works
            assertThat(staff.get("/api/me").status()).isEqualTo(200);
        }
    }

    @Test
    void callsDeniedToAValidTokenAreLimitedToo(@TempDir Path home) throws Exception {
        try (RunningService dangan = RunningService.start(home, Map.of(
                "dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.api.denials-per-minute", "3"))) {
            ApiClient desk = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK);
            ApiClient other = ApiClient.asNewUser(dangan, "wang.fang", Role.FRONT_DESK);
            long before = dangan.count("select count(*) from audit_log");

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.now().getEpochSecond() % 60 < 40);
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) statuses.add(desk.get("/api/audit").status()); // auditors' and managers' only

            assertThat(statuses).containsExactly(403, 403, 403, 429, 429, 429);
            assertThat(dangan.count("select count(*) from audit_log where id > ? and actor = 'li.na'", before))
                    .as("three denials and the one entry saying the limit was reached, not six").isEqualTo(4);
            assertThat(dangan.count("select count(*) from audit_log where detail like 'li.na 在一分钟内被拒绝的调用超过 3 次：%'"))
                    .isEqualTo(1);
            // the rest of the minute that caller is refused outright; another member of staff is not
            assertThat(desk.get("/api/me").status()).isEqualTo(429);
            assertThat(other.get("/api/me").status()).isEqualTo(200);
        }
    }

    @Test
    void theCountStartsAgainEachMinuteAndPerAddress() {
        PerMinuteLimit failures = new PerMinuteLimit(2);
        long minute = 60_000L * 1000;

        assertThat(failures.failed("10.0.0.1", minute)).isEqualTo(PerMinuteLimit.Verdict.AUDIT);
        assertThat(failures.failed("10.0.0.1", minute + 1)).isEqualTo(PerMinuteLimit.Verdict.AUDIT);
        assertThat(failures.failed("10.0.0.1", minute + 2)).isEqualTo(PerMinuteLimit.Verdict.LIMIT_REACHED);
        assertThat(failures.failed("10.0.0.1", minute + 3)).isEqualTo(PerMinuteLimit.Verdict.REFUSE);
        assertThat(failures.failed("10.0.0.2", minute + 4)).isEqualTo(PerMinuteLimit.Verdict.AUDIT);
        assertThat(failures.failed("10.0.0.1", minute + 60_000)).isEqualTo(PerMinuteLimit.Verdict.AUDIT);
    }
}
