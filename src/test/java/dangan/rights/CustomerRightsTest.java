package dangan.rights;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** PIPL (D-28): the customer's requests tracked to a deadline, their whole archive exported, their corrections recorded. */
@Tag("service")
class CustomerRightsTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static ApiClient desk;
    static ApiClient keeper;
    static ApiClient manager;
    static String wang;
    static String li;

    @BeforeAll
    static void start() throws Exception {
        desk = ApiClient.asNewUser(dangan, "desk.li", Role.FRONT_DESK);
        keeper = ApiClient.asNewUser(dangan, "keeper.zhao", Role.KEEPER);
        manager = ApiClient.asNewUser(dangan, "wang.jl", Role.MANAGER);
        dangan.drop("cards.csv", """
                姓名,手机,邮箱,地址,身份证号,偏好,过敏史,消费日期,消费金额,服务项目
                王芳,13800000001,wf@example.cn,深圳福田,11010519491231002X,靠窗座位,花生,2026-11-20,1280,宴会
                李娜,13800000002,,深圳南山,,,,,,
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("cards.csv").toString()).contains("/done/");
        wang = (String) dangan.row("select archive_no from customer where mobile = '13800000001'").get("archive_no");
        li = (String) dangan.row("select archive_no from customer where mobile = '13800000002'").get("archive_no");
    }

    @Test
    void anAccessRequestIsAnsweredWithTheWholeArchiveAndClosed() throws Exception {
        ApiClient.Reply request = desk.post("/api/archives/" + wang + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}");
        assertThat(request.status()).isEqualTo(201);
        long id = request.json().get("id").asLong();
        assertThat(request.json().get("status").asText()).isEqualTo("open");
        assertThat(request.json().get("received_by").asText()).isEqualTo("desk.li");
        assertThat(dangan.count("select count(*) from subject_request where id = ? and due_at::date - received_at::date = 15", id)).isEqualTo(1);
        assertThat((String) dangan.row("select detail from audit_log where action = 'request' and detail like ?", "查阅请求 #" + id + "：%").get("detail"))
                .matches("查阅请求 #" + id + "：经由 desk 收到，期限 \\d{4}年\\d{1,2}月\\d{1,2}日");

        assertThat(desk.get("/api/archives/" + wang + "/export?request_id=" + id).status()).isEqualTo(403);
        assertThat(keeper.get("/api/archives/" + wang + "/export").status()).isEqualTo(400);
        // the export holds health data and the full ID number, which a keeper's own view withholds: a manager approves first
        ApiClient.Reply alone = keeper.get("/api/archives/" + wang + "/export?request_id=" + id);
        assertThat(alone.status()).isEqualTo(403);
        assertThat(alone.json().get("error").asText()).contains("health").contains("identity").contains("approve-export");
        assertThat(keeper.post("/api/subject-requests/" + id + "/approve-export", "{}").status()).isEqualTo(403);
        ApiClient.Reply approved = manager.post("/api/subject-requests/" + id + "/approve-export", "{}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        ApiClient.Reply export = keeper.get("/api/archives/" + wang + "/export?request_id=" + id);

        assertThat(export.status()).isEqualTo(200);
        JsonNode doc = export.json();
        assertThat(doc.get("archive_no").asText()).isEqualTo(wang);
        assertThat(doc.get("basic").get("name").asText()).isEqualTo("王芳");
        assertThat(doc.get("basic").get("id_number").asText()).isEqualTo("11010519491231002X");
        assertThat(doc.get("basic").has("id_number_hash")).isFalse();
        assertThat(doc.get("health").get(0).get("detail").asText()).isEqualTo("花生");
        assertThat(doc.get("preferences").get(0).get("detail").asText()).isEqualTo("靠窗座位");
        assertThat(doc.get("consumption").get(0).get("amount").decimalValue()).isEqualByComparingTo("1280");
        long ingest = doc.get("consumption").get(0).get("source_ingest_id").asLong();
        assertThat(doc.get("sources").get(0).get("ingest").asLong()).isEqualTo(ingest);
        assertThat(doc.get("sources").get(0).get("name").asText()).isEqualTo("cards.csv");
        assertThat(doc.get("requests").get(0).get("kind").asText()).isEqualTo("access");
        assertThat(doc.has("change_history")).isTrue();

        assertThat(dangan.row("select status, closed_by from subject_request where id = ?", id))
                .containsEntry("status", "done").containsEntry("closed_by", "keeper.zhao");
        Map<String, Object> audit = dangan.row("select action, purpose, categories, detail from audit_log where actor = 'keeper.zhao' and action = 'export'"
                + " and purpose = ?", "查阅请求 #" + id);
        assertThat(audit).containsEntry("purpose", "查阅请求 #" + id);
        assertThat((String) audit.get("categories")).contains("health").contains("identity");
        assertThat((String) audit.get("detail")).doesNotContain("花生").doesNotContain("11010519491231002X")
                .isEqualTo("为客户的查阅请求 #" + id + " 导出整份档案：" + doc.get("facts_total").asInt() + " 条事实，由 keeper.zhao 导出，wang.jl 批准");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'wang.jl' and action = 'approve' and archive_no = ?"
                + " and purpose = ?", wang, "查阅请求 #" + id)).isEqualTo(1);
        // answered once: the request is closed
        assertThat(keeper.get("/api/archives/" + wang + "/export?request_id=" + id).status()).isEqualTo(409);
    }

    @Test
    void theManagerWhoReceivedAnAccessRequestDoesNotApproveItsExport() throws Exception {
        long id = manager.post("/api/archives/" + li + "/requests", "{\"kind\": \"access\", \"via\": \"phone\"}").json().get("id").asLong();

        ApiClient.Reply own = manager.post("/api/subject-requests/" + id + "/approve-export", "{}");
        assertThat(own.status()).isEqualTo(403);
        assertThat(own.json().get("error").asText()).contains("须由另一位经理批准导出");
        assertThat(keeper.get("/api/archives/" + li + "/export?request_id=" + id).status()).isEqualTo(403);
        assertThat(dangan.row("select status, export_approved_by from subject_request where id = ?", id))
                .containsEntry("status", "open").containsEntry("export_approved_by", null);

        ApiClient other = ApiClient.asNewUser(dangan, "zhou.mgr", Role.MANAGER);
        assertThat(other.post("/api/subject-requests/" + id + "/approve-export", "{}").status()).isEqualTo(200);
        assertThat(other.post("/api/subject-requests/" + id + "/approve-export", "{}").status()).isEqualTo(409);
        assertThat(keeper.get("/api/archives/" + li + "/export?request_id=" + id).status()).isEqualTo(200);
    }

    @Test
    void requestsAreCheckedAndListedByDeadline() throws Exception {
        assertThat(desk.post("/api/archives/" + li + "/requests", "{\"kind\": \"deletion\", \"via\": \"desk\"}").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/" + li + "/requests", "{\"kind\": \"access\", \"via\": \"fax\"}").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/" + li + "/requests", "{\"kind\": ").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/209901999/requests", "{\"kind\": \"access\", \"via\": \"desk\"}").status()).isEqualTo(404);
        ApiClient service = ApiClient.asNewUser(dangan, "svc.wu", Role.SERVICE);
        assertThat(service.post("/api/archives/" + li + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}").status()).isEqualTo(403);

        long late = manager.post("/api/archives/" + li + "/requests", "{\"kind\": \"correction\", \"via\": \"phone\"}").json().get("id").asLong();
        dangan.rows("update subject_request set received_at = now() - interval '20 days', due_at = now() - interval '5 days' where id = ? returning id", late);

        ApiClient.Reply overdue = keeper.get("/api/subject-requests?status=open&overdue=true");
        assertThat(overdue.status()).isEqualTo(200);
        List<Long> ids = overdue.json().get("requests").findValues("id").stream().map(JsonNode::asLong).toList();
        assertThat(ids).containsExactly(late);
        assertThat(overdue.json().get("requests").get(0).get("overdue").asBoolean()).isTrue();
        assertThat(desk.get("/api/subject-requests").status()).isEqualTo(403);
        assertThat(keeper.get("/api/subject-requests?overdue=perhaps").status()).isEqualTo(400);
    }

    @Test
    void aCorrectionIsNormalisedRecordedAuditedAndClosesItsRequest() throws Exception {
        long id = desk.post("/api/archives/" + li + "/requests", "{\"kind\": \"correction\", \"via\": \"mail\"}").json().get("id").asLong();

        ApiClient.Reply reply = keeper.post("/api/archives/" + li + "/corrections", """
                {"request_id": %d, "reason": "客户来电更正", "changes": {"mobile": "+86 139-0000-0002", "name": "李 娜娜",
                 "room_preferences": "高楼层", "address": "深圳南山"}}""".formatted(id));

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        assertThat(reply.json().get("unchanged").get(0).asText()).isEqualTo("address");
        assertThat(reply.json().get("request_status").asText()).isEqualTo("done");
        assertThat(dangan.row("select name, mobile from customer where archive_no = ?", li))
                .containsEntry("name", "李 娜娜").containsEntry("mobile", "13900000002");
        assertThat(dangan.row("select detail from preference p join customer c on c.id = p.customer_id where c.archive_no = ?", li))
                .containsEntry("detail", "高楼层");
        List<Map<String, Object>> log = dangan.rows("""
                select field, old_value, new_value, changed_by, reason, source from change_log l join customer c on c.id = l.customer_id
                where c.archive_no = ? order by field""", li);
        assertThat(log).extracting(m -> m.get("field")).containsExactly("mobile", "name", "preferences.room");
        assertThat(log.get(0)).containsEntry("old_value", "13800000002").containsEntry("new_value", "13900000002")
                .containsEntry("changed_by", "keeper.zhao").containsEntry("reason", "客户来电更正")
                .containsEntry("source", "更正请求 #" + id);
        assertThat(dangan.row("select status, outcome from subject_request where id = ?", id))
                .containsEntry("status", "done").containsEntry("outcome", "已更正：手机、姓名、房间偏好");
        assertThat(dangan.row("select action, categories, purpose from audit_log where actor = 'keeper.zhao' and archive_no = ? and action = 'change'", li))
                .containsEntry("categories", "basic,preferences").containsEntry("purpose", "更正请求 #" + id);

        // the history shows the correction with its source
        JsonNode history = manager.get("/api/archives/" + li + "/history?field=mobile").json();
        assertThat(history.get("changes").get(0).get("source").get("note").asText()).isEqualTo("更正请求 #" + id);
    }

    /**
     * A correction refused for another archive's mobile (or email, ID number) is a conflict a manager lists and
     * decides: confirm moves the value, merge asks for the merge when the other archive would keep no identifier,
     * dismiss changes nothing; each audited, each change in the change register.
     */
    @Test
    void aRefusedCorrectionIsAConflictAManagerListsAndResolves() throws Exception {
        dangan.drop("conflicts.csv", """
                姓名,手机,邮箱
                赵一,13800000011,
                钱二,13800000012,q2@example.cn
                孙三,13800000013,
                周四,13800000014,z4@example.cn
                """, StandardCharsets.UTF_8);
        dangan.awaitHandled("conflicts.csv");
        Map<String, String> no = new java.util.HashMap<>();
        for (String mobile : List.of("13800000011", "13800000012", "13800000013", "13800000014")) {
            no.put(mobile, (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no"));
        }
        String zhao = no.get("13800000011");
        String qian = no.get("13800000012");
        String sun = no.get("13800000013");
        String zhou = no.get("13800000014");

        ApiClient.Reply refused = keeper.post("/api/archives/" + zhao + "/corrections",
                "{\"reason\": \"客户来电\", \"changes\": {\"mobile\": \"13800000012\"}}");
        assertThat(refused.status()).isEqualTo(409);
        long first = (Long) dangan.row("select id from correction_conflict where archive_no = ? and status = 'open'", zhao).get("id");
        assertThat(refused.json().get("error").asText()).contains("#" + first).doesNotContain(qian);
        assertThat(keeper.post("/api/archives/" + zhao + "/corrections",
                "{\"reason\": \"客户来电\", \"changes\": {\"mobile\": \"13800000012\"}}").status()).isEqualTo(409);
        assertThat(dangan.count("select count(*) from correction_conflict where archive_no = ?", zhao)).as("the same attempt, one conflict").isOne();

        assertThat(keeper.get("/api/correction-conflicts").status()).isEqualTo(403);
        JsonNode open = manager.get("/api/correction-conflicts").json().get("conflicts");
        JsonNode listed = null;
        for (JsonNode c : open) if (c.get("id").asLong() == first) listed = c;
        assertThat(listed).isNotNull();
        assertThat(listed.get("archive_no").asText()).isEqualTo(zhao);
        assertThat(listed.get("other_archive_no").asText()).isEqualTo(qian);
        assertThat(listed.get("field").asText()).isEqualTo("mobile");
        assertThat(listed.get("value").asText()).isEqualTo("13800000012");
        assertThat(listed.get("raised_by").asText()).isEqualTo("keeper.zhao");

        assertThat(keeper.post("/api/correction-conflicts/" + first + "/resolve", "{\"decision\": \"confirm\"}").status()).isEqualTo(403);
        assertThat(manager.post("/api/correction-conflicts/" + first + "/resolve", "{\"decision\": \"maybe\"}").status()).isEqualTo(400);
        ApiClient.Reply confirmed = manager.post("/api/correction-conflicts/" + first + "/resolve",
                "{\"decision\": \"confirm\", \"note\": \"钱二已换号\"}");
        assertThat(confirmed.status()).as(confirmed.text()).isEqualTo(200);
        assertThat(confirmed.json().get("status").asText()).isEqualTo("confirmed");
        assertThat(dangan.row("select mobile from customer where archive_no = ?", zhao)).containsEntry("mobile", "13800000012");
        assertThat(dangan.row("select mobile, email from customer where archive_no = ?", qian))
                .containsEntry("mobile", null).containsEntry("email", "q2@example.cn");
        assertThat(dangan.count("select count(*) from change_log l join customer c on c.id = l.customer_id where c.archive_no in (?, ?)"
                + " and l.field = 'mobile' and l.source = ? and l.changed_by = 'wang.jl'", zhao, qian, "更正冲突 #" + first)).isEqualTo(2);
        assertThat(dangan.count("select count(*) from audit_log where action = 'resolve' and actor = 'wang.jl' and archive_no = ?"
                + " and detail = ?", zhao, "更正冲突 #" + first + "（档案 " + qian + " 的手机）：确认 — 已从档案 " + qian + " 移到 " + zhao)).isOne();
        assertThat(manager.post("/api/correction-conflicts/" + first + "/resolve", "{\"decision\": \"dismiss\"}").status()).isEqualTo(409);

        // 孙三 has no other identifier: confirming would leave that archive unidentifiable — the two are one customer
        assertThat(keeper.post("/api/archives/" + zhou + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"mobile\": \"13800000013\"}}").status()).isEqualTo(409);
        long second = (Long) dangan.row("select id from correction_conflict where archive_no = ? and status = 'open'", zhou).get("id");
        assertThat(manager.post("/api/correction-conflicts/" + second + "/resolve", "{\"decision\": \"confirm\"}").status()).isEqualTo(409);
        assertThat(manager.post("/api/correction-conflicts/" + second + "/resolve", "{\"decision\": \"merge\"}").json()
                .get("status").asText()).isEqualTo("merge-requested");
        assertThat(manager.get("/api/correction-conflicts?status=merge-requested").text()).contains(sun);
        assertThat(dangan.row("select mobile from customer where archive_no = ?", sun)).containsEntry("mobile", "13800000013");
        assertThat(dangan.row("select mobile from customer where archive_no = ?", zhou)).containsEntry("mobile", "13800000014");

        assertThat(keeper.post("/api/archives/" + zhou + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"email\": \"q2@example.cn\"}}").status()).isEqualTo(409);
        long third = (Long) dangan.row("select id from correction_conflict where archive_no = ? and status = 'open'", zhou).get("id");
        assertThat(manager.post("/api/correction-conflicts/" + third + "/resolve", "{\"decision\": \"dismiss\"}").json()
                .get("status").asText()).isEqualTo("dismissed");
        assertThat(dangan.row("select email from customer where archive_no = ?", zhou)).containsEntry("email", "z4@example.cn");
        assertThat(dangan.count("select count(*) from audit_log where action = 'resolve' and detail like ?",
                "更正冲突 #" + third + "%：驳回")).isOne();
    }

    @Test
    void invalidValuesIdentityWithoutARequestAndAnotherArchivesMobileChangeNothing() throws Exception {
        String before = dangan.row("select mobile, email, name, updated_at::text from customer where archive_no = ?", wang).toString();

        ApiClient.Reply invalid = keeper.post("/api/archives/" + wang + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"email\": \"not-an-email\", \"birth_date\": \"88-1-2\", \"mobile\": \"12345\"}}");
        assertThat(invalid.status()).isEqualTo(400);
        // every problem at once, each said in Chinese (the normaliser's reasons from the bundles, not their English getMessage)
        assertThat(invalid.json().get("error").asText()).startsWith("未作任何更正：email：").contains("；birth_date：").contains("；mobile：")
                .doesNotContainPattern("[a-z]{3,} [a-z]{2,} [a-z]{2,}");

        ApiClient.Reply identity = keeper.post("/api/archives/" + wang + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"name\": \"王小芳\"}}");
        assertThat(identity.status()).isEqualTo(400);
        assertThat(identity.json().get("error").asText()).contains("只能按客户的更正请求更正");

        long access = desk.post("/api/archives/" + wang + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}").json().get("id").asLong();
        assertThat(keeper.post("/api/archives/" + wang + "/corrections",
                "{\"request_id\": " + access + ", \"reason\": \"x\", \"changes\": {\"name\": \"王小芳\"}}").status()).isEqualTo(409);

        // 李娜's mobile, whatever it is now (another test corrects it)
        String lisMobile = (String) dangan.row("select mobile from customer where archive_no = ?", li).get("mobile");
        ApiClient.Reply taken = manager.post("/api/archives/" + wang + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"mobile\": \"" + lisMobile + "\", \"address\": \"北京\"}}");
        assertThat(taken.status()).as(taken.text()).isEqualTo(409);
        assertThat(taken.json().get("error").asText()).contains("与另一份档案冲突").doesNotContain(li);
        assertThat(dangan.row("select outcome, detail from audit_log where actor = 'wang.jl' and action = 'change' and archive_no = ?"
                + " order by id desc limit 1", wang)).containsEntry("outcome", "denied")
                .extractingByKey("detail").asString().startsWith("更正被拒：新的手机是档案 " + li + " 的（每位客户一份档案，D-15）：更正冲突 #");

        long correction = desk.post("/api/archives/" + wang + "/requests", "{\"kind\": \"correction\", \"via\": \"desk\"}").json().get("id").asLong();
        ApiClient.Reply contradicts = keeper.post("/api/archives/" + wang + "/corrections",
                "{\"request_id\": " + correction + ", \"reason\": \"x\", \"changes\": {\"birth_date\": \"1950-01-01\"}}");
        assertThat(contradicts.status()).isEqualTo(400);
        assertThat(contradicts.json().get("error").asText()).contains("必须与身份证号 110105********002X 一致");
        assertThat(desk.post("/api/archives/" + wang + "/corrections", "{\"reason\": \"x\", \"changes\": {\"address\": \"北京\"}}").status())
                .isEqualTo(403);

        assertThat(dangan.row("select mobile, email, name, updated_at::text from customer where archive_no = ?", wang).toString()).isEqualTo(before);
        assertThat(dangan.count("select count(*) from change_log l join customer c on c.id = l.customer_id where c.archive_no = ?", wang)).isZero();
        assertThat(dangan.row("select status from subject_request where id = ?", correction)).containsEntry("status", "open");
    }

    @Test
    void anIdNumberCorrectedForARequestCarriesItsBirthDateAndGenderAndIsStoredEncrypted() throws Exception {
        dangan.drop("more.csv", "姓名,手机,出生日期,性别\n赵敏,13800000005,1980-01-01,男\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("more.csv").toString()).contains("/done/");
        String zhao = (String) dangan.row("select archive_no from customer where mobile = '13800000005'").get("archive_no");
        long id = keeper.post("/api/archives/" + zhao + "/requests", "{\"kind\": \"correction\", \"via\": \"desk\"}").json().get("id").asLong();

        ApiClient.Reply reply = keeper.post("/api/archives/" + zhao + "/corrections",
                "{\"request_id\": " + id + ", \"reason\": \"身份证复印件\", \"changes\": {\"id_number\": \"44030419900101002X\"}}");

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        assertThat(reply.text()).doesNotContain("44030419900101002X");
        assertThat(dangan.row("select birth_date::text as b, gender::text as g, id_number_masked from customer where archive_no = ?", zhao))
                .containsEntry("b", "1990-01-01").containsEntry("g", "F").containsEntry("id_number_masked", "440304********002X");
        assertThat(dangan.count("select count(*) from customer where archive_no = ? and encode(id_number_enc, 'escape') like '%4403041990%'", zhao)).isZero();
        assertThat(dangan.rows("select field, old_value, new_value from change_log l join customer c on c.id = l.customer_id"
                + " where c.archive_no = ? order by field", zhao)).extracting(m -> m.get("field") + "=" + m.get("new_value"))
                .containsExactly("birth_date=1990-01-01", "gender=F", "id_number=440304********002X");
    }
}
