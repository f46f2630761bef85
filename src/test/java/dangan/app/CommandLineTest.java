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
        Run review = dangan("help", "review");
        assertThat(review.out()).contains("review accept ID... --by NAME").contains("list", "accept", "reject", "file");
        assertThat(dangan("review", "accept", "--help").out()).contains("--by=NAME", "代为执行的员工", "待审核变更的编号");
        // every command and sub-command has its description in the bundle (no empty line in the command list)
        for (String command : new String[]{"review", "ingest", "tiers", "notifications", "audit", "keys", "user"}) {
            Run usage = dangan(command, "--help");
            assertThat(usage.status()).as(command).isZero();
            assertThat(usage.out()).as(command).contains("命令：").doesNotContainPattern("(?m)^\\s+[a-z-]+\\s*$");
        }
    }

    @Test
    void aTypoIsAUsageErrorThatSuggestsTheCommand() {
        Run command = dangan("usr", "list");
        assertThat(command.status()).isEqualTo(2);
        assertThat(command.out()).isEmpty();
        assertThat(command.err()).contains("未知的命令或多余的参数：usr").contains("您是不是要输入：dangan user？")
                .doesNotContain("Did you mean");

        Run verb = dangan("user", "lst");
        assertThat(verb.status()).isEqualTo(2);
        assertThat(verb.err()).contains("您是不是要输入：dangan user list？");

        Run missing = dangan("user", "add", "li.na");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("缺少必需的参数：--role").contains("什么也没做");

        Run option = dangan("tiers", "list", "--jsno");
        assertThat(option.status()).isEqualTo(2);
        assertThat(option.out()).isEmpty();
        assertThat(option.err()).contains("未知的选项：--jsno").contains("--json");

        Run date = dangan("run-job", "visit-plan", "--date", "2026-13-01");
        assertThat(date.status()).isEqualTo(2);
        assertThat(date.err()).contains("--date 的值“2026-13-01”无效：需要日期（YYYY-MM-DD）");

        Run number = dangan("tiers", "show", "seven");
        assertThat(number.status()).isEqualTo(2);
        assertThat(number.err()).contains("“seven” 不是编号");

        assertThat(dangan("review").status()).as("a group alone shows its usage").isEqualTo(2);
    }

    @Test
    void parseErrorsAndHelpSpeakEnglishWhenTheLocaleSaysSo(@TempDir Path folder) throws Exception {
        Path config = folder.resolve("english.properties");
        java.nio.file.Files.writeString(config, "dangan.locale=en\n");
        Run typo = dangan("--config", config.toString(), "usr", "list");
        assertThat(typo.status()).isEqualTo(2);
        assertThat(typo.err()).contains("Unknown command or unexpected argument: usr").contains("Did you mean: dangan user?");
        Run help = dangan("--config", config.toString(), "review", "accept", "--help");
        assertThat(help.out()).contains("Usage:").contains("the member of staff acting");
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
