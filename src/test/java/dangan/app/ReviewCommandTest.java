package dangan.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.config.Settings;
import dangan.support.Commands;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The review command through the real command line: a decision needs an existing reviewer (manager or
 * keeper) named with --by; what it could not do is named on stderr with exit 1; the listing comes as
 * JSON for scripts; Chinese by default, English on request.
 */
@Tag("database")
class ReviewCommandTest {

    @TempDir
    Path home;

    @Test
    void aDecisionNeedsAReviewerOfTheStaffAndNamesWhatItCouldNotDo() throws Exception {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.home", home.toString(), "dangan.db.url", TestDatabase.freshDatabase(),
                        "dangan.db.user", "postgres", "dangan.master-key", RunningService.TEST_MASTER_KEY));

        Commands.Run nobody = Commands.run(settings, "review", "accept", "42", "--by", "王经理");
        assertThat(nobody.status()).isEqualTo(1);
        assertThat(nobody.out()).isEmpty();
        assertThat(nobody.err()).contains("--by 王经理：没有这个用户");

        assertThat(Commands.run(settings, "user", "add", "boss", "--role", "admin").status()).isZero();
        assertThat(Commands.run(settings, "user", "add", "desk.li", "--role", "front-desk", "--by", "boss").status()).isZero();
        assertThat(Commands.run(settings, "user", "add", "王经理", "--role", "manager", "--by", "boss").status()).isZero();

        Commands.Run frontDesk = Commands.run(settings, "review", "file", "D2026000001", "--by", "desk.li");
        assertThat(frontDesk.status()).isEqualTo(1);
        assertThat(frontDesk.err()).contains("desk.li").contains("front-desk").contains("manager, keeper");

        Commands.Run run = Commands.run(settings, "review", "accept", "42", "x7", "--by", "王经理");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("没有待审核的变更 #42").contains("“x7”不是变更编号");

        Commands.Run unnamed = Commands.run(settings, "review", "reject", "42");
        assertThat(unnamed.status()).isEqualTo(2);
        assertThat(unnamed.err()).contains("缺少必需的参数：--by").contains("dangan review reject --help");

        Commands.Run list = Commands.run(settings, "review", "list");
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains("等待审核的变更：0 项").contains("编号").contains("档案号").contains("等待归档的档案：0 份");
        JsonNode json = new ObjectMapper().readTree(Commands.run(settings, "review", "list", "--json").out());
        assertThat(json.get("changes").isArray()).isTrue();
        assertThat(json.get("archives").isArray()).isTrue();

        Commands.Run english = Commands.run(settings.with(Map.of("dangan.locale", "en")), "review", "accept", "42", "--by", "王经理");
        assertThat(english.status()).isEqualTo(1);
        assertThat(english.err()).contains("#42: no pending change of that number");
    }
}
