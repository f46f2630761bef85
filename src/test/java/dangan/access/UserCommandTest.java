package dangan.access;

import dangan.support.Commands;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The administrator's command line: the token it prints (alone on stdout) works, expires, rotates and
 * is revoked one at a time; a disabled user's does not work, an enabled one's new token does; every
 * change names an administrator with --by and is audited under that name.
 */
@Tag("service")
class UserCommandTest {

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
        // the first administrator needs no --by (there is nobody to name yet): recorded as the OS user
        Run first = user("add", "boss", "--role", "admin");
        assertThat(first.status()).isZero();
        assertThat(dangan.count("select count(*) from audit_log where action = 'user-add' and actor like 'os:%' and detail = '新增用户 boss，角色 系统管理员'"))
                .isEqualTo(1);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    record Run(int status, String out, String err) {
    }

    private static Run user(String... args) {
        return user(dangan.service().settings(), args);
    }

    private static Run user(dangan.config.Settings settings, String... args) {
        List<String> line = new java.util.ArrayList<>(List.of("user"));
        line.addAll(List.of(args));
        Commands.Run run = Commands.run(settings, line.toArray(String[]::new));
        return new Run(run.status(), run.out(), run.err());
    }

    private static String token(Run run) {
        assertThat(run.status()).as(run.err()).isZero();
        String token = run.out().strip();
        assertThat(token).as("the token alone on stdout").matches("dgn_[A-Za-z0-9_-]{43}");
        return token;
    }

    private static int me(String token) throws Exception {
        return ApiClient.withToken(dangan, token).get("/api/me").status();
    }

    private static void sql(String statement, Object... params) throws Exception {
        try (Connection c = dangan.service().database().dataSource().getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
            s.executeUpdate();
        }
    }

    @Test
    void addPrintsATokenThatWorksAndDisableStopsIt() throws Exception {
        String token = token(user("add", "chen.jing", "--role", "manager", "--by", "boss"));

        ApiClient manager = ApiClient.withToken(dangan, token);
        assertThat(manager.get("/api/me").json().get("role").asText()).isEqualTo("manager");

        String second = token(user("token", "chen.jing", "--by", "boss"));
        assertThat(second).isNotEqualTo(token);
        assertThat(me(second)).isEqualTo(200);

        assertThat(user("list").out()).containsPattern("chen\\.jing\\s+manager\\s+是\\s+2");
        assertThat(user("disable", "chen.jing", "--by", "boss").status()).isZero();
        assertThat(me(token)).isEqualTo(401);
        assertThat(me(second)).isEqualTo(401);
        assertThat(user("list").out()).containsPattern("chen\\.jing\\s+manager\\s+否\\s+0");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'boss' and action in ('user-add', 'token-issue', 'user-disable') "
                + "and (detail in ('新增用户 chen.jing，角色 经理', '停用用户 chen.jing') or detail like '用户 chen.jing：发放令牌 #%')")).isEqualTo(3);
    }

    @Test
    void aTokenExpiresAfterTheConfiguredDays() throws Exception {
        Run added = user(dangan.service().settings().with(Map.of("dangan.api.token-days", "7")),
                "add", "expiring", "--role", "front-desk", "--by", "boss");
        String token = token(added);
        assertThat(added.err()).contains(java.time.LocalDate.now(java.time.ZoneId.of("Asia/Shanghai")).plusDays(7).toString());
        java.time.Instant expires = ((java.sql.Timestamp) dangan.row("select expires_at from api_token t join staff_user u on u.id = t.user_id "
                + "where u.name = 'expiring'").get("expires_at")).toInstant();
        assertThat(expires).isBetween(OffsetDateTime.now().plusDays(7).minusHours(1).toInstant(), OffsetDateTime.now().plusDays(7).plusHours(1).toInstant());
        assertThat(me(token)).isEqualTo(200);

        // the day has come
        sql("update api_token set expires_at = now() - interval '1 second' where user_id = (select id from staff_user where name = 'expiring')");
        assertThat(me(token)).isEqualTo(401);
        assertThat(user("list").out()).containsPattern("expiring\\s+front-desk\\s+是\\s+0");
        assertThat(user("tokens", "expiring").out()).containsPattern("#\\d+\\s+否\\s");
    }

    @Test
    void rotateRevokesTheOthersAndRevokeTakesOneToken() throws Exception {
        String first = token(user("add", "li.wei", "--role", "service", "--by", "boss"));
        String second = token(user("token", "li.wei", "--by", "boss"));
        String third = token(user("token", "li.wei", "--by", "boss"));

        long secondId = (Long) dangan.rows("select t.id from api_token t join staff_user u on u.id = t.user_id "
                + "where u.name = 'li.wei' order by t.id").get(1).get("id");
        Run revoked = user("token", "li.wei", "--revoke", String.valueOf(secondId), "--by", "boss");
        assertThat(revoked.status()).as(revoked.err()).isZero();
        assertThat(me(first)).isEqualTo(200);
        assertThat(me(second)).isEqualTo(401);
        assertThat(me(third)).isEqualTo(200);
        assertThat(user("token", "li.wei", "--revoke", String.valueOf(secondId), "--by", "boss").status())
                .as("a token revoked already").isEqualTo(1);

        String rotated = token(user("token", "li.wei", "--rotate", "--by", "boss"));
        assertThat(me(first)).isEqualTo(401);
        assertThat(me(third)).isEqualTo(401);
        assertThat(me(rotated)).isEqualTo(200);
        assertThat(dangan.count("select count(*) from api_token t join staff_user u on u.id = t.user_id "
                + "where u.name = 'li.wei' and t.revoked_at is null")).isEqualTo(1);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'boss' and action = 'token-revoke' and detail = ?",
                "用户 li.wei：作废令牌 #" + secondId)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'boss' and action = 'token-rotate' "
                + "and detail like '用户 li.wei：发放令牌 #%，作废此前的令牌 2 个'")).isEqualTo(1);
        assertThat(user("tokens", "li.wei", "--json").out()).contains("\"revoked_by\":\"boss\"");
    }

    @Test
    void enableAndRoleAreAudited() throws Exception {
        String old = token(user("add", "zhou.min", "--role", "front-desk", "--by", "boss"));
        assertThat(user("disable", "zhou.min", "--by", "boss").status()).isZero();
        assertThat(user("enable", "zhou.min", "--by", "boss").status()).isZero();
        assertThat(me(old)).as("the old tokens stay revoked").isEqualTo(401);
        String fresh = token(user("token", "zhou.min", "--by", "boss"));

        assertThat(user("role", "zhou.min", "manager", "--by", "boss").status()).isZero();
        assertThat(ApiClient.withToken(dangan, fresh).get("/api/me").json().get("role").asText()).isEqualTo("manager");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'boss' and action = 'user-enable' and detail = '启用用户 zhou.min'"))
                .isEqualTo(1);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'boss' and action = 'role-change' "
                + "and detail = '用户 zhou.min 的角色：前台 → 经理'")).isEqualTo(1);
        assertThat(user("enable", "zhou.min", "--by", "boss").status()).as("active already").isEqualTo(1);
    }

    @Test
    void aChangeNamesAnActiveAdministratorOrChangesNothing() throws Exception {
        token(user("add", "desk.only", "--role", "front-desk", "--by", "boss"));
        long users = dangan.count("select count(*) from staff_user");

        Run nobody = user("add", "x2", "--role", "front-desk");
        Run secondAdmin = user("add", "x3", "--role", "admin");
        Run unknown = user("add", "x4", "--role", "front-desk", "--by", "ghost");
        Run notAdmin = user("add", "x5", "--role", "front-desk", "--by", "desk.only");
        Run self = user("role", "boss", "front-desk", "--by", "boss");

        assertThat(nobody.status()).isEqualTo(2);
        assertThat(nobody.err()).contains("--by");
        assertThat(secondAdmin.status()).as("only the first administrator comes without --by").isEqualTo(2);
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("ghost");
        assertThat(notAdmin.status()).isEqualTo(1);
        assertThat(notAdmin.err()).contains("front-desk").contains("admin");
        assertThat(self.status()).isEqualTo(1);
        assertThat(dangan.count("select count(*) from staff_user")).isEqualTo(users);
        assertThat(dangan.row("select role from staff_user where name = 'boss'")).containsEntry("role", "admin");
        // a user sets their own password
        assertThat(UserCommand.run(dangan.service().settings(), List.of("password", "desk.only", "--by", "desk.only"),
                new java.io.ByteArrayInputStream("a-long-enough-password\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()))).isZero();
    }

    @Test
    void mistakesAreNamedAndChangeNothing() throws Exception {
        long users = dangan.count("select count(*) from staff_user");

        Run badRole = user("add", "x1", "--role", "boss", "--by", "boss");
        Run badName = user("add", "robert'); drop table staff_user;--", "--role", "admin", "--by", "boss");
        user("add", "twice", "--role", "auditor", "--by", "boss");
        Run duplicate = user("add", "twice", "--role", "admin", "--by", "boss");
        Run unknown = user("disable", "nobody", "--by", "boss");

        assertThat(badRole.status()).isEqualTo(1);
        assertThat(badRole.err()).contains("没有“boss”这个角色").contains("front-desk, service, manager, keeper, auditor, admin");
        assertThat(badName.status()).isEqualTo(1);
        assertThat(badName.err()).contains("用户名须为 1–64 个字母");
        assertThat(duplicate.status()).isEqualTo(1);
        assertThat(duplicate.err()).contains("已有名为 twice 的用户");
        assertThat(unknown.err()).contains("没有名为 nobody 的用户");
        assertThat(dangan.count("select count(*) from staff_user")).isEqualTo(users + 1);
        assertThat(user("add", "x").status()).isEqualTo(2);
    }
}
