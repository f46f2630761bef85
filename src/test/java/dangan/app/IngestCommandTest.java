package dangan.app;

import dangan.config.Settings;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingest command on a real database: a check of a file that would fail as a whole says why and
 * which headings it found, files nothing; list shows no ingest for it; a revert needs a manager.
 */
@Tag("database")
class IngestCommandTest {

    @TempDir
    Path home;

    @Test
    void aCheckFilesNothingAndARevertNeedsAManager() throws Exception {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.home", home.toString(), "dangan.db.url", TestDatabase.freshDatabase(),
                        "dangan.db.user", "postgres", "dangan.master-key", RunningService.TEST_MASTER_KEY));
        Path file = home.resolve("wrong-export.csv");
        Files.writeString(file, "订单号,金额,身份证复印件\nA1,100,有\n", StandardCharsets.UTF_8);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = IngestCommand.run(settings, List.of("check", file.toString()), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(0);
        Path report = home.resolve("outbox").resolve("rejects").resolve("wrong-export.csv.check.csv");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrong-export.csv：不会被归档 — 第一行").contains(report.toString());
        assertThat(Files.readString(report))
                .contains("整个文件不会被归档：第一行（标题行，共 3 列）中没有客户姓名列").contains("未识别的列（按列号）：[1, 3]")
                .contains("“金额” 识别为 消费金额")
                .contains("“身份证复印件” 看似敏感数据");

        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        assertThat(IngestCommand.run(settings, List.of("list"), new PrintStream(listed, true, StandardCharsets.UTF_8))).isEqualTo(0);
        assertThat(listed.toString(StandardCharsets.UTF_8)).contains("最近的导入").doesNotContain("wrong-export.csv");

        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertThat(IngestCommand.run(settings, List.of("revert", "1"), new PrintStream(refused, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(refused.toString(StandardCharsets.UTF_8)).contains("--by NAME");
        ByteArrayOutputStream unknown = new ByteArrayOutputStream();
        assertThat(IngestCommand.run(settings, List.of("revert", "999", "--by", "nobody"),
                new PrintStream(unknown, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(unknown.toString(StandardCharsets.UTF_8)).contains("没有导入 #999");
    }
}
