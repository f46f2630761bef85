package dangan.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.access.UserCommand;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's doorway over plain HTTP on the real service: the session cookie's flags, CSRF on
 * state-changing calls, idle and absolute timeouts, sign-out, a disabled user's sessions ending, passwords kept only as Argon2id hashes, and the
 * console's own files served from the jar with no data in them.
 */
@Tag("service")
class ConsoleSessionTest {

    static final String PASSWORD = "a-long-enough-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path home;
    static RunningService dangan;
    static StaffDirectory staff;

    /** What a sign-in answered: the status, the Set-Cookie header, the JSON. */
    record Answer(int status, String setCookie, JsonNode json, String body) {
        String cookie() {
            return setCookie.substring(0, setCookie.indexOf(';'));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.console.idle-minutes", "5", "dangan.console.absolute-hours", "2"));
        staff = dangan.bean("staffDirectory", StaffDirectory.class);
        for (String name : List.of("desk.a", "desk.b", "desk.c", "mgr.d")) {
            staff.addUser(name, name.startsWith("mgr") ? Role.MANAGER : Role.FRONT_DESK, "test");
            staff.setPassword(name, PASSWORD.toCharArray(), "test");
        }
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    static Answer send(String method, String path, String cookie, String csrf, String body, String address) throws Exception {
        return sendTo(dangan.httpPort(), method, path, cookie, csrf, body);
    }

    /** A request to the service on this port, with the session cookie and CSRF token when given. */
    static Answer sendTo(int port, String method, String path, String cookie, String csrf, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (cookie != null) request.header("Cookie", cookie);
        if (csrf != null) request.header("X-CSRF-Token", csrf);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String type = response.headers().firstValue("Content-Type").orElse("");
        return new Answer(response.statusCode(), response.headers().firstValue("Set-Cookie").orElse(null),
                type.contains("json") && !response.body().isEmpty() ? JSON.readTree(response.body()) : null, response.body());
    }

    static Answer signIn(String name, String password) throws Exception {
        return send("POST", "/api/session", null, null,
                JSON.writeValueAsString(Map.of("name", name, "password", password)), "localhost");
    }

    @Test
    void aSessionIsAnHttpOnlyStrictCookieAndStateChangesNeedItsCsrfToken() throws Exception {
        Answer in = signIn("desk.a", PASSWORD);
        assertThat(in.status()).isEqualTo(200);
        assertThat(in.setCookie()).startsWith("dangan_session=").contains("HttpOnly", "SameSite=Strict", "Path=/")
                .doesNotContain("Secure");
        assertThat(in.json().get("role").asText()).isEqualTo("front-desk");
        String csrf = in.json().get("csrf").asText();
        // the session is the caller for the whole API, reads without CSRF
        assertThat(send("GET", "/api/me", in.cookie(), null, null, "localhost").json().get("name").asText()).isEqualTo("desk.a");
        // a state-changing call: refused without the token or with another, audited as denied; accepted with it
        String body = "{\"archive_nos\": [\"202301001\"], \"categories\": [\"health\"], \"purpose\": \"check\", \"days\": 1}";
        assertThat(send("POST", "/api/access-requests", in.cookie(), null, body, "localhost").status()).isEqualTo(403);
        assertThat(send("POST", "/api/access-requests", in.cookie(), "forged", body, "localhost").status()).isEqualTo(403);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.a' and action = 'denied' and detail like '%CSRF%'"))
                .isEqualTo(2);
        assertThat(send("POST", "/api/access-requests", in.cookie(), csrf, body, "localhost").status()).isEqualTo(404); // past CSRF: no such archive
        // the sign-in is audited; only the SHA-256 of the session id is stored
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.a' and action = 'sign-in'")).isEqualTo(1);
        String cookieValue = in.cookie().substring("dangan_session=".length());
        assertThat(dangan.count("select count(*) from console_session where encode(id_hash, 'escape') like ?", "%" + cookieValue + "%"))
                .isZero();
        assertThat(dangan.count("select count(*) from console_session where id_hash = sha256(convert_to(?, 'UTF8'))", cookieValue))
                .isEqualTo(1);
    }

    @Test
    void signOutEndsTheSessionAndTimeoutsEndItToo() throws Exception {
        Answer first = signIn("desk.b", PASSWORD);
        Answer out = send("DELETE", "/api/session", first.cookie(), first.json().get("csrf").asText(), null, "localhost");
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.setCookie()).contains("Max-Age=0");
        assertThat(send("GET", "/api/me", first.cookie(), null, null, "localhost").status()).isEqualTo(401);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.b' and action = 'sign-out'")).isEqualTo(1);

        // idle: no request for longer than dangan.console.idle-minutes (5)
        Answer idle = signIn("desk.b", PASSWORD);
        assertThat(send("GET", "/api/me", idle.cookie(), null, null, "localhost").status()).isEqualTo(200);
        dangan.rows("update console_session set last_seen = now() - interval '6 minutes' where ended_at is null and user_id = "
                + "(select id from staff_user where name = 'desk.b') returning id");
        assertThat(send("GET", "/api/me", idle.cookie(), null, null, "localhost").status()).isEqualTo(401);

        // absolute: busy, but signed in longer than dangan.console.absolute-hours (2) ago
        Answer old = signIn("desk.b", PASSWORD);
        dangan.rows("update console_session set created_at = now() - interval '121 minutes' where ended_at is null and user_id = "
                + "(select id from staff_user where name = 'desk.b') and last_seen > now() - interval '1 minute' returning id");
        assertThat(send("GET", "/api/me", old.cookie(), null, null, "localhost").status()).isEqualTo(401);
    }

    @Test
    void disablingAUserEndsTheirSessionsAndPasswordsAreOnlyHashes() throws Exception {
        Answer in = signIn("mgr.d", PASSWORD);
        assertThat(send("GET", "/api/me", in.cookie(), null, null, "localhost").status()).isEqualTo(200);
        staff.disable("mgr.d", "test");
        assertThat(send("GET", "/api/me", in.cookie(), null, null, "localhost").status()).isEqualTo(401);
        assertThat(signIn("mgr.d", PASSWORD).status()).isEqualTo(401);
        assertThat((String) dangan.row("select password_hash from staff_user where name = 'desk.a'").get("password_hash"))
                .startsWith("$argon2id$").doesNotContain(PASSWORD);
    }

    @Test
    void userPasswordSetsItFromTheCommandLine() throws Exception {
        staff.addUser("desk.cli", Role.FRONT_DESK, "test");
        assertThat(signIn("desk.cli", "set-by-the-command").status()).isEqualTo(401);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(UserCommand.run(dangan.service().settings(), List.of("password", "desk.cli", "--by", "desk.cli"),
                new ByteArrayInputStream("short\n".getBytes(StandardCharsets.UTF_8)), new PrintStream(out), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("密码至少要有 10 个字符");
        int status = UserCommand.run(dangan.service().settings(), List.of("password", "desk.cli", "--by", "desk.cli"),
                new ByteArrayInputStream("set-by-the-command\n".getBytes(StandardCharsets.UTF_8)), new PrintStream(out), new PrintStream(err));
        assertThat(status).isZero();
        assertThat(signIn("desk.cli", "set-by-the-command").status()).isEqualTo(200);
        assertThat(dangan.count("select count(*) from audit_log where action = 'password-set' and detail = '设置用户 desk.cli 的控制台密码'")).isEqualTo(1);
    }

    @Test
    void theConsoleIsServedFromTheJarWithAStrictPolicyAndTheTextsOfBothLanguages() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(p ->
                assertThat(p).contains("script-src 'self'", "frame-ancestors 'none'"));
        HttpResponse<byte[]> echarts = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort()
                + "/console/vendor/echarts.min.js")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.body().length).isGreaterThan(500_000);
        Answer zh = send("GET", "/console/texts/zh.json", null, null, null, "localhost");
        Answer en = send("GET", "/console/texts/en.json", null, null, null, "localhost");
        assertThat(zh.json().get("console.signin.title").asText()).isEqualTo("登录");
        assertThat(en.json().get("console.signin.title").asText()).isEqualTo("Sign in");
        for (String path : List.of("/console/../config/application.properties", "/console/texts/fr.json", "/console/app.jsx",
                "/console/%2e%2e/db/migration/V1__archive.sql")) {
            assertThat(send("GET", path, null, null, null, "localhost").status()).as(path).isIn(400, 404);
        }
    }
}
