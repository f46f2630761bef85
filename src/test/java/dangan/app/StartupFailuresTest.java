package dangan.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.support.LogCapture;
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
 * problem — and the checks that can run first run before anything is created under DANGAN_HOME. The line is
 * the reader's language (Chinese by default, {@code dangan.locale=en} English), and so are the start's own log lines.
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
        // in Chinese by default: what (the key, its variable), where (the value) and why
        oneLine(run, "失败：配置项 dangan.intake.poll-ms（环境变量 DANGAN_INTAKE_POLL_MS）必须是整数，而不是“soon”");
        assertThat(home()).doesNotExist();

        Run english = dangan("--config", config(Map.of("dangan.intake.poll-ms", "soon", "dangan.locale", "en")).toString());
        oneLine(english, "Failed: Configuration key dangan.intake.poll-ms (environment DANGAN_INTAKE_POLL_MS) must be a whole number, not 'soon'");
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
        List<ILoggingEvent> banner;
        try (LogCapture log = LogCapture.start();
             RunningService dangan = RunningService.start(first, Map.of("dangan.db.url", db, "dangan.db.user", "postgres"))) {
            banner = log.byThread(Thread.currentThread().getName()); // the start runs on this thread; other classes start beside it
            dangan.drop("ids.csv", "姓名,手机,身份证号\n王芳,13800138001,11010519491231002X\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("ids.csv");
        }
        // the start's own lines (banner, database, each source and schedule) are Chinese by default, from the bundles
        List<String> ours = banner.stream().filter(e -> e.getLoggerName().startsWith("dangan.") && e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(ours).anySatisfy(l -> assertThat(l).startsWith("Dangan 已运行：把 CSV 或 XLSX 文件放进 ").endsWith("registrations"))
                .anySatisfy(l -> assertThat(l).startsWith("变更通知（D-22）：事件已记录；没有订阅者"))
                .anySatisfy(l -> assertThat(l).startsWith("保存期限（D-31）：整份档案无活动 "))
                .allSatisfy(l -> assertThat(l).as("a start line in Chinese").containsPattern("\\p{IsHan}"));
        Map<String, String> sameDatabase = Map.of("dangan.db.url", db, "dangan.db.user", "postgres",
                "dangan.http.port", String.valueOf(RunningService.freePort()));
        Map<String, String> wrongKey = new LinkedHashMap<>(sameDatabase);
        wrongKey.put("dangan.master-key", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=");
        oneLine(dangan("--config", config(wrongKey).toString()), "DANGAN_MASTER_KEY 中的主密钥打不开档案的密钥：密钥不对");

        // no key at all: none is generated over an archive sealed under another
        Run none = dangan("--config", config(sameDatabase).toString(), "keys", "status");
        oneLine(none, "没有主密钥：DANGAN_MASTER_KEY 和 ");
        assertThat(home().resolve("data").resolve("master.key")).doesNotExist();

        // a setting a flow refuses once the database is open (a survey source's secret too short to sign with): one
        // line naming the key and its variable in Chinese, never the secret itself
        Map<String, String> shortSecret = new LinkedHashMap<>(sameDatabase);
        shortSecret.put("dangan.master-key", RunningService.TEST_MASTER_KEY);
        shortSecret.put("dangan.surveys.sources", "wjx");
        shortSecret.put("dangan.surveys.source.wjx.secret", "tooShort7");
        Run refused = dangan("--config", config(shortSecret).toString());
        oneLine(refused, "失败：配置项 dangan.surveys.source.wjx.secret（环境变量 DANGAN_SURVEYS_SOURCE_WJX_SECRET）：问卷来源 wjx 需要至少 16 个字符的密钥");
        assertThat(refused.err()).doesNotContain("tooShort7");
        assertThat(List.of(RunningService.TEST_MASTER_KEY)).isNotEmpty();
    }
}
