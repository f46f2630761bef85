package dangan.app;

import dangan.config.Settings;
import dangan.store.Db;
import dangan.support.Commands;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --by} on the commands that act for someone, through the real command line: {@code notifications retry} and
 * {@code keys reseal} are an administrator's, as their API is; a refused {@code --by} is written to the audit log
 * (outcome denied, the account at the keyboard, the command, the name given and why), an accepted one names the
 * member of staff and their role.
 */
@Tag("database")
class ActingForTest {

    @TempDir
    Path home;

    @Test
    void refusalsOfByAreAuditedAndTheAdministratorsCommandsNameTheirActor() {
        Settings settings = RunningService.settings(home, RunningService.freshDatabase());
        assertThat(Commands.run(settings, "user", "add", "boss", "--role", "admin").status()).isZero();
        assertThat(Commands.run(settings, "user", "add", "desk.li", "--role", "front-desk", "--by", "boss").status()).isZero();
        String event = UUID.randomUUID().toString();

        Commands.Run unknown = Commands.run(settings, "review", "accept", "42", "--by", "王经理");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("--by 王经理：没有这个用户");
        Commands.Run frontDesk = Commands.run(settings, "notifications", "retry", event, "--by", "desk.li");
        assertThat(frontDesk.status()).isEqualTo(1);
        assertThat(frontDesk.err()).contains("desk.li").contains("front-desk").contains("admin");
        Commands.Run reseal = Commands.run(settings, "keys", "reseal", "--by", "desk.li");
        assertThat(reseal.status()).isEqualTo(1);
        assertThat(reseal.out()).isEmpty();
        Commands.Run unnamed = Commands.run(settings, "keys", "reseal");
        assertThat(unnamed.status()).isEqualTo(2);
        assertThat(unnamed.err()).contains("--by");

        List<Map<String, Object>> denied = audit(settings, "denied");
        assertThat(denied).extracting(r -> r.get("actor")).containsOnly(dangan.audit.Exposure.cliActor());
        assertThat(denied).extracting(r -> (String) r.get("detail")).containsExactly(
                "命令 dangan review accept 以 --by 王经理 执行被拒绝：--by 王经理：没有这个用户（用 user list 查看）；--by 须是现有的、已启用的员工，记入审计日志",
                "命令 dangan notifications retry 以 --by desk.li 执行被拒绝：--by desk.li：该用户的角色是 front-desk，这个命令需要 admin",
                "命令 dangan keys reseal 以 --by desk.li 执行被拒绝：--by desk.li：该用户的角色是 front-desk，这个命令需要 admin");

        Commands.Run resealed = Commands.run(settings, "keys", "reseal", "--by", "boss");
        assertThat(resealed.status()).isZero();
        assertThat(resealed.out()).contains("已用客户密钥重新加密 0 个值");
        Commands.Run nothing = Commands.run(settings, "notifications", "retry", event, "--by", "boss");
        assertThat(nothing.status()).isEqualTo(1);
        assertThat(nothing.err()).contains("没有已搁置或待发的投递");
        assertThat(audit(settings, "reseal")).singleElement().satisfies(r -> {
            assertThat(r).containsEntry("actor", "boss").containsEntry("role", "admin").containsEntry("outcome", "ok");
            assertThat((String) r.get("detail")).isEqualTo("用客户密钥重新加密 0 个值（0 位客户）");
        });
        assertThat(audit(settings, "retry")).isEmpty(); // nothing was put back in line
    }

    private static List<Map<String, Object>> audit(Settings settings, String action) {
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(settings.require("dangan.db.url"));
        db.setUser("postgres");
        return Db.jdbi(db).withHandle(h -> h.createQuery("select actor, role, outcome, detail from audit_log where action = :action order by id")
                .bind("action", action).mapToMap().list());
    }
}
