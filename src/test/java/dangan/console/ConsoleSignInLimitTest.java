package dangan.console;

import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;

import static dangan.console.ConsoleSessionTest.JSON;
import static dangan.console.ConsoleSessionTest.sendTo;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed sign-ins count with failed tokens (per address and minute, dangan.api.auth-failures-per-minute):
 * audited one by one up to the limit, then 429 and one entry — and past it not even the right password
 * is checked. A service of its own, so that no other test's failures fall into the same minute.
 */
@Tag("service")
class ConsoleSignInLimitTest {

    static final String PASSWORD = "a-long-enough-secret";

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                "dangan.db.user", "postgres", "dangan.api.auth-failures-per-minute", "3"));
        StaffDirectory staff = dangan.bean("staffDirectory", StaffDirectory.class);
        staff.addUser("desk.c", Role.FRONT_DESK, "test");
        staff.setPassword("desk.c", PASSWORD.toCharArray(), "test");
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    @Test
    void failedSignInsAreAuditedLikeFailedTokensThenRefusedWithoutCheckingThePassword() throws Exception {
        // the limit counts per minute: start well inside one, so the whole test falls into it
        await().atMost(Duration.ofSeconds(15)).until(() -> LocalTime.now().getSecond() < 45);
        long before = dangan.count("select count(*) from audit_log where actor = 'anonymous' and action = 'denied'");
        // an unknown name answers exactly what a wrong password answers (and both count)
        ConsoleSessionTest.Answer unknown = signIn("nobody.here", PASSWORD);
        ConsoleSessionTest.Answer wrongPassword = signIn("desk.c", "wrong-again-password");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(wrongPassword.body());
        ConsoleSessionTest.Answer third = signIn("desk.c", "not-the-password");
        assertThat(third.status()).isEqualTo(401);
        assertThat(third.setCookie()).isNull();
        assertThat(third.body()).doesNotContain("not-the-password");
        assertThat(signIn("desk.c", "not-the-password").status()).isEqualTo(429);
        // past the limit even the right password is refused this minute: guessing stops here
        assertThat(signIn("desk.c", PASSWORD).status()).isEqualTo(429);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'anonymous' and action = 'denied'"))
                .isEqualTo(before + 4); // three failures one by one, then one entry for the limit
        assertThat(dangan.count("select count(*) from audit_log where detail like '%not-the-password%' or detail like '%" + PASSWORD + "%'"))
                .isZero();
    }

    private static ConsoleSessionTest.Answer signIn(String name, String password) throws Exception {
        return sendTo(dangan.httpPort(), "POST", "/api/session", null, null, JSON.writeValueAsString(Map.of("name", name, "password", password)));
    }
}
