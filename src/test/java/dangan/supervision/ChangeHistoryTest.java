package dangan.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** D-27: what a field said on a date, who changed it, why, from which source — by role, audited. */
@Tag("service")
class ChangeHistoryTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static String archive;
    static ApiClient manager;

    @BeforeAll
    static void start() throws Exception {
        manager = ApiClient.asNewUser(dangan, "wang.jl", Role.MANAGER);
        dangan.drop("cards.csv", """
                姓名,手机,邮箱,地址,身份证号
                王芳,13800000001,wf@example.cn,深圳福田,11010519491231002X
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("cards.csv").toString()).contains("/done/");
        archive = (String) dangan.row("select archive_no from customer where mobile = '13800000001'").get("archive_no");
        // the archive was opened on 10 January; its address changed on 1 March, by a later file
        dangan.rows("update customer set created_at = '2026-01-10 09:00+08' returning id");
        dangan.drop("moved.csv", "姓名,手机,地址\n王芳,13800000001,深圳南山\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("moved.csv").toString()).contains("/done/");
        dangan.rows("update change_log set changed_at = '2026-03-01 15:00+08' where field = 'address' returning id");
        // a survey linked by hand (feedback) on 2 March: not for the front desk's eyes
        dangan.rows("""
                insert into change_log (customer_id, field, old_value, new_value, changed_at, changed_by, reason)
                select id, 'feedback', null, 'survey s-1: score 2 (complaint opened)', '2026-03-02 10:00+08', '王经理', 'linked by hand'
                from customer returning id""");
    }

    @Test
    void beforeTheFirstChangeAFieldSaysWhatTheArchiveWasOpenedWith() throws Exception {
        ApiClient.Reply reply = manager.get("/api/archives/" + archive + "/history?on=2026-02-01");

        assertThat(reply.status()).isEqualTo(200);
        JsonNode address = field(reply.json(), "address");
        assertThat(address.get("value").asText()).isEqualTo("深圳福田");
        assertThat(address.get("reason").asText()).isEqualTo("档案建立");
        assertThat(address.get("since").asText()).startsWith("2026-01-10T01:00");
        assertThat(address.get("source").get("name").asText()).isEqualTo("cards.csv");
        assertThat(address.get("source").get("channel").asText()).isEqualTo("registrations");
        assertThat(address.get("source").get("line").asInt()).isEqualTo(2);
        assertThat(field(reply.json(), "mobile").get("value").asText()).isEqualTo("13800000001");
        // the ID number only ever masked, and the feedback was not there yet
        assertThat(field(reply.json(), "id_number").get("value").asText()).isEqualTo("110105********002X");
        assertThat(reply.text()).doesNotContain("11010519491231002X").doesNotContain("survey s-1");
    }

    @Test
    void afterAChangeAFieldSaysWhoChangedItWhyAndFromWhere() throws Exception {
        ApiClient.Reply reply = manager.get("/api/archives/" + archive + "/history?on=2026-03-05&field=address");

        assertThat(reply.json().get("fields")).hasSize(1);
        JsonNode address = field(reply.json(), "address");
        assertThat(address.get("value").asText()).isEqualTo("深圳南山");
        assertThat(address.get("changed_by").asText()).isEqualTo("intake");
        assertThat(address.get("since").asText()).startsWith("2026-03-01T07:00");
        assertThat(address.get("source").get("name").asText()).isEqualTo("moved.csv");
        assertThat(address.get("source").get("line").asInt()).isEqualTo(2);

        JsonNode feedback = field(manager.get("/api/archives/" + archive + "/history?on=2026-03-05").json(), "feedback");
        assertThat(feedback.get("value").asText()).contains("score 2");
        assertThat(feedback.get("changed_by").asText()).isEqualTo("王经理");
    }

    @Test
    void withoutADateEveryChangeIsListedAndTheDayBeforeTheOpeningHeldNothing() throws Exception {
        ApiClient.Reply all = manager.get("/api/archives/" + archive + "/history");
        assertThat(all.json().get("changes")).hasSize(2);
        JsonNode change = all.json().get("changes").get(0);
        assertThat(change.get("field").asText()).isEqualTo("address");
        assertThat(change.get("old_value").asText()).isEqualTo("深圳福田");
        assertThat(change.get("new_value").asText()).isEqualTo("深圳南山");
        assertThat(change.get("category").asText()).isEqualTo("basic");
        assertThat(all.json().get("opened_from").get("name").asText()).isEqualTo("cards.csv");

        ApiClient.Reply before = manager.get("/api/archives/" + archive + "/history?on=2025-12-31");
        assertThat(before.json().get("fields")).isEmpty();
        assertThat(before.json().get("note").asText()).contains("时还不存在");
    }

    @Test
    void eachRoleSeesTheFieldsOfItsCategoriesAndEveryReadIsAudited() throws Exception {
        ApiClient desk = ApiClient.asNewUser(dangan, "desk.li", Role.FRONT_DESK);
        ApiClient.Reply mine = desk.get("/api/archives/" + archive + "/history?purpose=check-in");
        assertThat(mine.status()).isEqualTo(200);
        assertThat(mine.json().get("changes")).hasSize(1); // the address, not the feedback
        assertThat(mine.text()).doesNotContain("survey");
        Map<String, Object> read = dangan.row("select action, archive_no, categories, purpose, outcome from audit_log where actor = 'desk.li'");
        assertThat(read).containsEntry("action", "read").containsEntry("archive_no", archive).containsEntry("categories", "basic")
                .containsEntry("purpose", "check-in").containsEntry("outcome", "ok");

        ApiClient.Reply feedback = desk.get("/api/archives/" + archive + "/history?field=feedback");
        assertThat(feedback.status()).isEqualTo(403);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.li' and outcome = 'denied'"
                + " and archive_no = ? and categories = 'feedback'", archive)).isEqualTo(1);

        ApiClient auditor = ApiClient.asNewUser(dangan, "audit.chen", Role.AUDITOR);
        assertThat(auditor.get("/api/archives/" + archive + "/history").status()).isEqualTo(403);
        assertThat(manager.get("/api/archives/209901999/history").status()).isEqualTo(404);
        assertThat(manager.get("/api/archives/" + archive + "/history?on=1.3.2026").status()).isEqualTo(400);
    }

    private static JsonNode field(JsonNode body, String name) {
        for (JsonNode f : body.get("fields")) {
            if (f.get("field").asText().equals(name)) return f;
        }
        throw new AssertionError("no field " + name + " in " + body);
    }
}
