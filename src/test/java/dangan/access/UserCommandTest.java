package dangan.access;

import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The administrator's command line: the token it prints works, a disabled user's does not. */
@Tag("service")
class UserCommandTest {

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    record Run(int status, String out, String err) {
    }

    private Run user(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = UserCommand.run(dangan.service().settings(), List.of(args),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void addPrintsATokenThatWorksAndDisableStopsIt() throws Exception {
        Run added = user("add", "chen.jing", "--role", "manager");
        assertThat(added.status()).isZero();
        String token = added.out().strip();
        assertThat(token).as("the token alone on stdout").matches("dgn_[A-Za-z0-9_-]{43}");

        ApiClient manager = ApiClient.withToken(dangan, token);
        assertThat(manager.get("/api/me").json().get("role").asText()).isEqualTo("manager");

        Run issued = user("token", "chen.jing");
        String second = issued.out().strip();
        assertThat(second).matches("dgn_[A-Za-z0-9_-]{43}");
        assertThat(second).isNotEqualTo(token);
        assertThat(ApiClient.withToken(dangan, second).get("/api/me").status()).isEqualTo(200);

        assertThat(user("list").out()).containsPattern("chen\\.jing\\s+manager\\s+yes\\s+2");
        assertThat(user("disable", "chen.jing").status()).isZero();
        assertThat(manager.get("/api/me").status()).isEqualTo(401);
        assertThat(ApiClient.withToken(dangan, second).get("/api/me").status()).isEqualTo(401);
        assertThat(user("list").out()).containsPattern("chen\\.jing\\s+manager\\s+no\\s+0");
    }

    @Test
    void mistakesAreNamedAndChangeNothing() throws Exception {
        long users = dangan.count("select count(*) from staff_user");

        Run badRole = user("add", "x1", "--role", "boss");
        Run badName = user("add", "robert'); drop table staff_user;--", "--role", "admin");
        user("add", "twice", "--role", "auditor");
        Run duplicate = user("add", "twice", "--role", "admin");
        Run unknown = user("disable", "nobody");

        assertThat(badRole.status()).isEqualTo(1);
        assertThat(badRole.err()).contains("Unknown role 'boss'").contains("front-desk, service, manager, keeper, auditor, admin");
        assertThat(badName.status()).isEqualTo(1);
        assertThat(badName.err()).contains("A user name is");
        assertThat(duplicate.status()).isEqualTo(1);
        assertThat(duplicate.err()).contains("exists already");
        assertThat(unknown.err()).contains("No user named nobody");
        assertThat(dangan.count("select count(*) from staff_user")).isEqualTo(users + 1);
        assertThat(user("add", "x").status()).isEqualTo(2);
    }
}
