package dangan.app;

import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's start through {@code main}'s command line, with a configuration file of its own in a
 * folder of its own (--config from anywhere): a port in use, a value that is no number, an
 * unreachable database, a wrong master key each end it at once with exit 1 and one line naming the
 * problem — and the checks that can run first run before anything is created under DANGAN_HOME.
 */
@Tag("service")
class StartupFailuresTest {

    @TempDir
    Path folder;

    record Run(int status, String out, String err) {
    }

    /** The shipped configuration with these keys changed, written to a folder of the test's own. */
    private Path config(Map<String, String> changes) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("dangan.home", "home"); // relative: to the configuration file's folder
        all.put("dangan.columns", Path.of("config", "columns.properties").toAbsolutePath().toString());
        all.put("camel.main.routes-include-pattern", "file:" + Path.of("routes").toAbsolutePath() + "/*.yaml");
        all.put("dangan.db.embedded.durable", "false");
        all.putAll(changes);
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("config", "application.properties"))) {
            int eq = line.indexOf('=');
            String key = line.startsWith("#") || eq < 0 ? null : line.substring(0, eq);
            if (key == null || !all.containsKey(key)) text.append(line).append('\n');
        }
        all.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Path file = folder.resolve("etc").resolve("dangan.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static Run dangan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Dangan.commandLine(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path home() {
        return folder.resolve("etc").resolve("home");
    }

    private static void oneLine(Run run, String... naming) {
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err().strip()).as("one line: %s", run.err()).doesNotContain("\n").doesNotContain("Exception").contains(naming);
    }

    @Test
    void aPortInUseEndsTheStartBeforeAnythingIsCreated() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Path config = config(Map.of("dangan.http.port", String.valueOf(taken.getLocalPort())));
            Run run = dangan("--config", config.toString());
            oneLine(run, String.valueOf(taken.getLocalPort()));
            assertThat(home()).as("no folder, no database, no master key").doesNotExist();

            // run-job binds no port: the same configuration runs a job beside whatever holds it
            Run job = dangan("--config", config.toString(), "run-job", "staleness", "--date", "2027-06-01");
            assertThat(job.status()).as(job.err()).isZero();
            assertThat(home().resolve("outbox/reminders/2027-06-01-staleness.csv")).exists();
        }
    }

    @Test
    void theFirstCommandOnAFreshHomeStartsTheEmbeddedDatabaseItself() throws Exception {
        // no dangan.db.url, nothing under DANGAN_HOME yet: `user add` is what a new installation runs first
        Run first = dangan("--config", config(Map.of()).toString(), "user", "add", "first.admin", "--role", "admin");
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out().strip()).matches("dgn_[A-Za-z0-9_-]{43}");
        assertThat(home().resolve("data").resolve("postgres")).isDirectory();
    }

    @Test
    void aLostPgPasswordIsOneLineSayingHowToRecover() throws Exception {
        Path config = config(Map.of("dangan.http.port", String.valueOf(RunningService.freePort())));
        assertThat(dangan("--config", config.toString(), "user", "add", "first.admin", "--role", "admin").status()).isZero();
        Path password = home().resolve("data").resolve("pg.password");
        Files.delete(password);

        Run service = dangan("--config", config.toString());
        oneLine(service, password.toString(), "data/", "trust");
        assertThat(service.err()).doesNotContain("zonky").doesNotContain("FATAL");
        Run command = dangan("--config", config.toString(), "user", "list");
        oneLine(command, password.toString());
        assertThat(password).as("no new password over the lost one").doesNotExist();

        // the recovery the line names: trust once, and a new password is generated, password-only again
        Path hba = home().resolve("data").resolve("postgres").resolve("pg_hba.conf");
        Files.writeString(hba, Files.readString(hba).replace("scram-sha-256", "trust"));
        Run recovered = dangan("--config", config.toString(), "user", "list");
        assertThat(recovered.status()).as(recovered.err()).isZero();
        assertThat(recovered.out()).contains("first.admin");
        assertThat(password).exists();
        assertThat(Files.readString(hba)).doesNotContain(" trust");
    }

    @Test
    void aValueThatIsNoNumberIsNamedBeforeAnythingIsCreated() throws Exception {
        Run run = dangan("--config", config(Map.of("dangan.intake.poll-ms", "soon")).toString());
        oneLine(run, "dangan.intake.poll-ms", "DANGAN_INTAKE_POLL_MS", "soon");
        assertThat(home()).doesNotExist();
    }

    @Test
    void anUnreachableDatabaseIsOneLine() throws Exception {
        int nobody = RunningService.freePort();
        Run run = dangan("--config", config(Map.of("dangan.db.url", "jdbc:postgresql://127.0.0.1:" + nobody + "/dangan",
                "dangan.db.user", "dangan", "dangan.db.password", "secret-pw", "dangan.http.port", String.valueOf(RunningService.freePort()))).toString());
        oneLine(run, "127.0.0.1:" + nobody, "dangan.db.url");
        assertThat(run.err()).doesNotContain("secret-pw");
    }

    @Test
    void aWrongMasterKeyIsRefusedBeforeItSealsAnything() throws Exception {
        String db = TestDatabase.freshDatabase();
        Path first = folder.resolve("first");
        try (RunningService dangan = RunningService.start(first, Map.of("dangan.db.url", db, "dangan.db.user", "postgres"))) {
            dangan.drop("ids.csv", "姓名,手机,身份证号\n王芳,13800138001,11010519491231002X\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("ids.csv");
        }
        Map<String, String> sameDatabase = Map.of("dangan.db.url", db, "dangan.db.user", "postgres",
                "dangan.http.port", String.valueOf(RunningService.freePort()));
        Map<String, String> wrongKey = new LinkedHashMap<>(sameDatabase);
        wrongKey.put("dangan.master-key", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=");
        oneLine(dangan("--config", config(wrongKey).toString()), "DANGAN_MASTER_KEY", "wrong key");

        // no key at all: none is generated over an archive sealed under another
        Run none = dangan("--config", config(sameDatabase).toString(), "keys", "status");
        oneLine(none, "master key");
        assertThat(home().resolve("data").resolve("master.key")).doesNotExist();
        assertThat(List.of(RunningService.TEST_MASTER_KEY)).isNotEmpty();
    }
}
