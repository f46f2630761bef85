package dangan.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line as {@code main} builds it (picocli): help, typo suggestions, exit codes, the
 * answer alone on stdout. None of these needs a database.
 */
@Tag("fast")
class CommandLineTest {

    record Run(int status, String out, String err) {
    }

    static Run dangan(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Dangan.commandLine(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommandInChineseWithTheExitCodes() {
        Run help = dangan("help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("用法：", "命令：", "退出码", "review", "ingest", "run-job", "tiers", "notifications", "user",
                "audit", "keys", "backup", "restore");
        assertThat(dangan("--help").out()).isEqualTo(help.out());

        Run userAdd = dangan("user", "add", "--help");
        assertThat(userAdd.status()).isZero();
        assertThat(userAdd.out()).contains("--role=ROLE", "front-desk");
        assertThat(dangan("help", "review").out()).contains("review accept ID... [--by NAME]");
    }

    @Test
    void aTypoIsAUsageErrorThatSuggestsTheCommand() {
        Run command = dangan("usr", "list");
        assertThat(command.status()).isEqualTo(2);
        assertThat(command.out()).isEmpty();
        assertThat(command.err()).contains("Did you mean: dangan user?");

        Run verb = dangan("user", "lst");
        assertThat(verb.status()).isEqualTo(2);
        assertThat(verb.err()).contains("Did you mean: user list?");

        Run missing = dangan("user", "add", "li.na");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("--role");

        assertThat(dangan("review").status()).as("a group alone shows its usage").isEqualTo(2);
    }

    @Test
    void aMissingConfigurationIsOneLineAndExitOne(@TempDir Path folder) {
        Path config = folder.resolve("nowhere.properties");
        Run run = dangan("--config", config.toString(), "user", "list");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().strip()).contains(config.toString()).doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void runJobListsTheJobsFromTheRouteFilesWithoutStartingAnything() throws Exception {
        Run list = dangan("run-job", "--list");
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("visit-plan", "greetings", "follow-ups", "completeness", "staleness", "notification-relay");

        Run json = dangan("run-job", "--list", "--json");
        JsonNode jobs = new ObjectMapper().readTree(json.out());
        assertThat(jobs.isArray()).isTrue();
        assertThat(jobs.findValuesAsText("name")).contains("backup", "kpi-report", "retention-review");

        Run unknown = dangan("run-job", "no-such-job");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("no-such-job");
    }
}
