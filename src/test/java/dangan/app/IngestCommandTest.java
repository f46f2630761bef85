package dangan.app;

import dangan.config.Settings;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.support.Commands;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

        Commands.Run check = Commands.run(settings, "ingest", "check", file.toString());

        assertThat(check.status()).isEqualTo(0);
        Path report = home.resolve("outbox").resolve("rejects").resolve("wrong-export.csv.check.csv");
        assertThat(check.out()).contains("wrong-export.csv：不会被归档 — 第一行").contains(report.toString());
        assertThat(Files.readString(report))
                .contains("整个文件不会被归档：第一行（标题行，共 3 列）中没有客户姓名列").contains("未识别的列（按列号）：[1, 3]")
                .contains("“金额” 识别为 消费金额")
                .contains("“身份证复印件” 看似敏感数据");

        Commands.Run listed = Commands.run(settings, "ingest", "list");
        assertThat(listed.status()).isEqualTo(0);
        assertThat(listed.out()).contains("最近的导入").doesNotContain("wrong-export.csv");
        assertThat(new ObjectMapper().readTree(Commands.run(settings, "ingest", "list", "5", "--json").out())).isEmpty();
        Commands.Run notACount = Commands.run(settings, "ingest", "list", "many");
        assertThat(notACount.status()).isEqualTo(2);
        assertThat(notACount.err()).contains("N 的值“many”无效：需要整数");

        Commands.Run refused = Commands.run(settings, "ingest", "revert", "1");
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).contains("--by");
        Commands.Run stranger = Commands.run(settings, "ingest", "revert", "999", "--by", "nobody");
        assertThat(stranger.status()).isEqualTo(1);
        assertThat(stranger.err()).contains("--by nobody：没有这个用户");
        assertThat(Commands.run(settings, "user", "add", "boss", "--role", "admin").status()).isZero();
        assertThat(Commands.run(settings, "user", "add", "mgr.zhao", "--role", "manager", "--by", "boss").status()).isZero();
        Commands.Run unknown = Commands.run(settings, "ingest", "revert", "999", "--by", "mgr.zhao");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).contains("没有导入 #999");
        Commands.Run admin = Commands.run(settings, "ingest", "revert", "999", "--by", "boss");
        assertThat(admin.status()).isEqualTo(1);
        assertThat(admin.err()).contains("admin").contains("manager");
    }
}
