package dangan.access;

import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Who gets through the API's door: tokens, disabled users, the audit of every refusal. */
@Tag("service")
class ApiAccessTest {

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    @Test
    void aValidTokenIdentifiesItsUserAndRole() throws Exception {
        ApiClient desk = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK);

        ApiClient.Reply me = desk.get("/api/me");

        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("name").asText()).isEqualTo("li.na");
        assertThat(me.json().get("role").asText()).isEqualTo("front-desk");
        assertThat(dangan.count("select count(*) from api_token t join staff_user u on u.id = t.user_id"
                + " where u.name = 'li.na' and t.last_used is not null")).isEqualTo(1);
    }

    @Test
    void noTokenOrAForgedOneIs401AndAudited() throws Exception {
        long deniedBefore = dangan.count("select count(*) from audit_log where outcome = 'denied'");

        ApiClient.Reply none = ApiClient.withToken(dangan, null).get("/api/me");
        ApiClient.Reply forged = ApiClient.withToken(dangan, "dgn_" + "A".repeat(43)).get("/api/me");
        ApiClient.Reply junk = ApiClient.withToken(dangan, "' or 1=1 --").get("/api/me");

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).contains("Authorization: Bearer");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().get("error").asText()).contains("未知、已吊销");
        assertThat(junk.status()).isEqualTo(401);
        assertThat(dangan.count("select count(*) from audit_log where outcome = 'denied' and actor = 'anonymous'"
                + " and detail like 'GET /api/me%'")).isEqualTo(deniedBefore + 3);
    }

    @Test
    void aDisabledUsersTokensStopWorkingAtOnce() throws Exception {
        ApiClient service = ApiClient.asNewUser(dangan, "wang.fang", Role.SERVICE);
        assertThat(service.get("/api/me").status()).isEqualTo(200);

        StaffDirectory staff = dangan.bean("staffDirectory", StaffDirectory.class);
        staff.disable("wang.fang", "test-admin");

        assertThat(service.get("/api/me").status()).isEqualTo(401);
        assertThat(dangan.count("select count(*) from audit_log where action = 'user-disable' and actor = 'test-admin'"
                + " and detail = 'user wang.fang'")).isEqualTo(1);
    }

    @Test
    void onlyTheHashOfATokenIsStored() throws Exception {
        ApiClient keeper = ApiClient.asNewUser(dangan, "zhao.lei", Role.KEEPER);

        assertThat(dangan.count("select count(*) from api_token where encode(token_hash, 'escape') like ?",
                "%" + keeper.token().substring(4, 20) + "%")).isZero();
        assertThat(dangan.count("select count(*) from audit_log where detail like ?", "%" + keeper.token() + "%")).isZero();
    }

    @Test
    void theOpenApiDescriptionListsTheResources() throws Exception {
        ApiClient.Reply doc = ApiClient.withToken(dangan, null).get("/api/openapi.json");

        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.text()).contains("\"openapi\"").contains("\"/me\"").contains("\"/surveys\"");
    }
}
