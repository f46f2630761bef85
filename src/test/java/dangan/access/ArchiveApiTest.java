package dangan.access;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archive API on the real service: each role's view field by field (D-24) of an archive filed
 * from a real registration file with health data and an ID number, sealed archives (D-32), search,
 * the audit entry of every read, and bad input and attack.
 */
@Tag("service")
class ArchiveApiTest {

    static final String FULL_ID = "440304199001011233";
    static final List<String> BASIC_FIELDS = List.of("name", "gender", "birth_date", "mobile", "email", "address",
            "id_number_masked", "employer", "job_title", "nationality", "tier", "key_decision_maker", "important_organisation",
            "out_of_province", "extra", "contact_confirmed_at", "created_at", "updated_at");
    static final List<String> HEAD_FIELDS = List.of("archive_no", "review_status", "sealed", "categories", "withheld", "grant");

    @TempDir
    static Path home;
    static RunningService dangan;
    static String zhang;   // 张伟: ID number, allergy 花生, visits, preferences — and, added below, the rest
    static String li;      // 李娜: sealed
    static String wang;    // 王芳: allergy 青霉素
    static String chen;    // waiting for review
    static ApiClient desk, service, manager, keeper, auditor, admin;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.archives.search-limit", "2"));
        dangan.drop("daily-report-gbk.csv", Path.of("test-data/registrations/daily-report-gbk.csv"));
        assertThat(dangan.awaitHandled("daily-report-gbk.csv").toString()).contains("/done/");
        dangan.drop("zhou.csv", "姓名,手机\n周一,13500000001\n周二,13500000002\n周三,13500000003\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("zhou.csv");
        zhang = archiveNo("13800138000");
        li = archiveNo("13900139000");
        wang = archiveNo("13700137000");
        chen = archiveNo("15900159000");
        long zhangId = ((Number) dangan.row("select id from customer where archive_no = ?", zhang).get("id")).longValue();
        // the categories a registration file does not bring: a contract, the visit ledger, a special date, a companion, feedback
        dangan.rows("""
                insert into consumption (customer_id, visit_date, amount, service, contract_no, fact_key)
                values (?, '2023-10-01', 5000, '年卡', 'HT-2023-001', gen_random_uuid()) returning id""", zhangId);
        dangan.rows("insert into visit_ledger (customer_id, visited_on, staff, channel, outcome) values (?, '2023-10-05', '小刘', 'phone', '满意') returning id", zhangId);
        dangan.rows("insert into special_date (customer_id, kind, occurs_on, label) values (?, 'wedding_anniversary', '2015-05-20', null) returning id", zhangId);
        dangan.rows("insert into companion (customer_id, relation, name) values (?, 'companion', '张太太') returning id", zhangId);
        dangan.rows("insert into feedback (customer_id, kind, score, comment, status) values (?, 'score', 5, '手法专业', 'closed') returning id", zhangId);
        dangan.rows("update customer set sealed_at = now(), sealed_by = 'test', sealed_reason = 'court order' where archive_no = ? returning id", li);
        dangan.rows("update customer set review_status = 'pending' where archive_no = ? returning id", chen);
        desk = ApiClient.asNewUser(dangan, "desk.li", Role.FRONT_DESK);
        service = ApiClient.asNewUser(dangan, "svc.wang", Role.SERVICE);
        manager = ApiClient.asNewUser(dangan, "mgr.zhao", Role.MANAGER);
        keeper = ApiClient.asNewUser(dangan, "keeper.sun", Role.KEEPER);
        auditor = ApiClient.asNewUser(dangan, "audit.qian", Role.AUDITOR);
        admin = ApiClient.asNewUser(dangan, "admin.zhou", Role.ADMIN);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    static String archiveNo(String mobile) throws Exception {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }

    static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<String> head(String... sections) {
        List<String> all = new ArrayList<>(HEAD_FIELDS);
        all.addAll(List.of(sections));
        return all;
    }

    static Map<String, Object> lastAudit(String actor) throws Exception {
        return dangan.row("select * from audit_log where actor = ? order by id desc limit 1", actor);
    }

    @Test
    void frontDeskSeesBasicAndConsumptionFieldByField() throws Exception {
        long entries = dangan.count("select count(*) from audit_log where actor = 'desk.li'");
        ApiClient.Reply reply = desk.get("/api/archives/" + zhang + "?purpose=check-in");

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode a = reply.json();
        assertThat(fields(a)).containsExactlyElementsOf(head("basic", "consumption"));
        assertThat(texts(a.get("categories"))).containsExactly("basic", "consumption");
        assertThat(texts(a.get("withheld"))).containsExactly("preferences", "health", "feedback", "identity");
        assertThat(a.get("sealed").asBoolean()).isFalse();
        assertThat(a.get("review_status").asText()).isEqualTo("filed");
        assertThat(a.get("grant").isNull()).isTrue();
        JsonNode basic = a.get("basic");
        assertThat(fields(basic)).containsExactlyElementsOf(BASIC_FIELDS);
        assertThat(basic.get("name").asText()).isEqualTo("张伟");
        assertThat(basic.get("gender").asText()).isEqualTo("M");
        assertThat(basic.get("birth_date").asText()).isEqualTo("1990-01-01");
        assertThat(basic.get("mobile").asText()).isEqualTo("13800138000");
        assertThat(basic.get("email").asText()).isEqualTo("zhangwei@example.cn");
        assertThat(basic.get("address").asText()).isEqualTo("深圳市福田区福华路1号");
        assertThat(basic.get("id_number_masked").asText()).isEqualTo("440304********1233");
        assertThat(basic.get("extra").get("会员等级备注").asText()).isEqualTo("老客户");
        JsonNode consumption = a.get("consumption");
        assertThat(fields(consumption)).containsExactly("visits", "contracts", "visit_ledger");
        assertThat(fields(consumption.get("visits").get(0))).containsExactly("visit_date", "amount", "service", "payment_method", "staff", "branch", "place");
        assertThat(consumption.get("visits").get(0).get("visit_date").asText()).isEqualTo("2023-09-01");
        assertThat(consumption.get("visits").get(0).get("amount").decimalValue()).isEqualByComparingTo("1280.00");
        assertThat(consumption.get("visits").get(0).get("service").asText()).isEqualTo("精油按摩");
        assertThat(consumption.get("visits").get(0).get("branch").asText()).isEqualTo("福田店");
        assertThat(consumption.get("contracts").get(0).get("contract_no").asText()).isEqualTo("HT-2023-001");
        assertThat(consumption.get("visit_ledger").get(0).get("outcome").asText()).isEqualTo("满意");
        // nothing of what is withheld leaks anywhere in the answer
        assertThat(reply.text()).doesNotContain("花生").doesNotContain(FULL_ID).doesNotContain("靠窗座位").doesNotContain("手法专业");

        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.li'")).isEqualTo(entries + 1);
        Map<String, Object> audit = lastAudit("desk.li");
        assertThat(audit).containsEntry("action", "read").containsEntry("archive_no", zhang).containsEntry("role", "front-desk")
                .containsEntry("categories", "basic,consumption").containsEntry("purpose", "check-in").containsEntry("outcome", "ok");
        assertThat(audit.get("grant_id")).isNull();
    }

    @Test
    void serviceStaffSeeBasicPreferencesAndHealthDecrypted() throws Exception {
        ApiClient.Reply reply = service.get("/api/archives/" + zhang);

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode a = reply.json();
        assertThat(fields(a)).containsExactlyElementsOf(head("basic", "preferences", "health"));
        assertThat(texts(a.get("withheld"))).containsExactly("consumption", "feedback", "identity");
        assertThat(fields(a.get("basic"))).containsExactlyElementsOf(BASIC_FIELDS);
        assertThat(a.get("basic").get("id_number_masked").asText()).isEqualTo("440304********1233");
        JsonNode preferences = a.get("preferences");
        assertThat(fields(preferences)).containsExactly("preferences", "special_dates", "companions");
        assertThat(preferences.get("preferences").get(0).get("detail").asText()).isEqualTo("靠窗座位");
        assertThat(preferences.get("special_dates").get(0).get("kind").asText()).isEqualTo("wedding_anniversary");
        assertThat(preferences.get("special_dates").get(0).get("occurs_on").asText()).isEqualTo("2015-05-20");
        assertThat(preferences.get("companions").get(0).get("name").asText()).isEqualTo("张太太");
        JsonNode health = a.get("health");
        assertThat(health).hasSize(1);
        assertThat(fields(health.get(0))).containsExactly("kind", "detail", "recorded_at");
        assertThat(health.get(0).get("kind").asText()).isEqualTo("allergy");
        assertThat(health.get(0).get("detail").asText()).isEqualTo("花生");
        assertThat(reply.text()).doesNotContain(FULL_ID).doesNotContain("精油按摩").doesNotContain("HT-2023-001").doesNotContain("手法专业");
        // the audit names the categories, never the health data
        Map<String, Object> audit = lastAudit("svc.wang");
        assertThat(audit).containsEntry("action", "read").containsEntry("categories", "basic,preferences,health");
        assertThat(dangan.count("select count(*) from audit_log where detail like '%花生%' or detail like ?", "%" + FULL_ID + "%")).isZero();
    }

    @Test
    void managersSeeEverythingIncludingTheFullIdNumber() throws Exception {
        ApiClient.Reply reply = manager.get("/api/archives/" + zhang);

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode a = reply.json();
        assertThat(fields(a)).containsExactlyElementsOf(head("basic", "consumption", "preferences", "health", "feedback", "identity"));
        assertThat(texts(a.get("withheld"))).isEmpty();
        assertThat(a.get("identity").get("id_number").asText()).isEqualTo(FULL_ID);
        assertThat(a.get("health").get(0).get("detail").asText()).isEqualTo("花生");
        assertThat(fields(a.get("feedback").get(0))).containsExactly("kind", "score", "nps", "comment", "service", "staff", "status",
                "handling", "closed_at", "submitted_at");
        assertThat(a.get("feedback").get(0).get("comment").asText()).isEqualTo("手法专业");
        assertThat(lastAudit("mgr.zhao")).containsEntry("categories", "basic,consumption,preferences,health,feedback,identity");
    }

    @Test
    void theKeeperSeesAllButHealthAndTheFullIdNumber() throws Exception {
        ApiClient.Reply reply = keeper.get("/api/archives/" + zhang);

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode a = reply.json();
        assertThat(fields(a)).containsExactlyElementsOf(head("basic", "consumption", "preferences", "feedback"));
        assertThat(texts(a.get("withheld"))).containsExactly("health", "identity");
        assertThat(reply.text()).doesNotContain("花生").doesNotContain(FULL_ID);
    }

    @Test
    void auditorsAndAdministratorsSeeNoArchiveContents() throws Exception {
        for (ApiClient client : List.of(auditor, admin)) {
            ApiClient.Reply read = client.get("/api/archives/" + zhang);
            ApiClient.Reply search = client.get("/api/archives?mobile=13800138000");
            assertThat(read.status()).isEqualTo(403);
            assertThat(read.json().get("error").asText()).contains("看不到档案内容");
            assertThat(read.text()).doesNotContain("张伟");
            assertThat(search.status()).isEqualTo(403);
        }
        assertThat(dangan.count("select count(*) from audit_log where actor = 'audit.qian' and outcome = 'denied' and archive_no = ?", zhang))
                .isEqualTo(1);
        assertThat(dangan.count("select count(*) from audit_log where actor in ('audit.qian', 'admin.zhou') and outcome = 'ok'")).isZero();
    }

    @Test
    void aHealthValueThatCannotBeDecryptedIsMarkedAndTheRestIsServed() throws Exception {
        // flip every bit of one byte of the ciphertext (setting it to a fixed value would leave it unchanged 1 time in 256)
        dangan.rows("update health_fact set detail_enc = set_byte(detail_enc, 19, get_byte(detail_enc, 19) # 255)"
                + " where customer_id = (select id from customer where archive_no = ?) returning id", wang);

        ApiClient.Reply reply = manager.get("/api/archives/" + wang);

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        assertThat(reply.json().get("health").get(0).get("detail").asText()).isEqualTo("[unreadable]");
        assertThat(reply.json().get("basic").get("name").asText()).isEqualTo("王芳");
    }

    @Test
    void askingForACategoryOutsideTheViewIs403AndAudited() throws Exception {
        ApiClient.Reply refused = desk.get("/api/archives/" + zhang + "?categories=basic,health");

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("error").asText()).contains("health").contains("POST /api/access-requests").startsWith("角色 前台 看不到档案");
        // a resource's answer in English for a client that asks for it (the role by its code)
        java.net.http.HttpResponse<String> english = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + dangan.httpPort() + "/api/archives/" + zhang
                                + "?categories=basic,health"))
                        .header("Authorization", "Bearer " + desk.token()).header("Accept-Language", "en").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(english.statusCode()).isEqualTo(403);
        assertThat(english.body()).contains("the role front desk does not see [health] of archive " + zhang);
        assertThat(lastAudit("desk.li")).containsEntry("outcome", "denied").containsEntry("archive_no", zhang)
                .containsEntry("categories", "health");

        ApiClient.Reply narrowed = desk.get("/api/archives/" + zhang + "?categories=basic");
        assertThat(narrowed.status()).isEqualTo(200);
        assertThat(fields(narrowed.json())).containsExactlyElementsOf(head("basic"));
        assertThat(lastAudit("desk.li")).containsEntry("categories", "basic");

        assertThat(desk.get("/api/archives/" + zhang + "?categories=secrets").status()).isEqualTo(400);
    }

    @Test
    void sealedArchivesDoNotExistForFrontDeskAndServiceButKeeperAndManagerSeeThem() throws Exception {
        ApiClient.Reply unknown = desk.get("/api/archives/209901999");
        ApiClient.Reply sealed = desk.get("/api/archives/" + li);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(sealed.status()).isEqualTo(404);
        assertThat(sealed.json().get("error").asText()).isEqualTo(unknown.json().get("error").asText().replace("209901999", li));
        assertThat(service.get("/api/archives/" + li).status()).isEqualTo(404);
        assertThat(service.get("/api/archives?mobile=13900139000").json().get("count").asInt()).isZero();

        ApiClient.Reply kept = keeper.get("/api/archives/" + li);
        assertThat(kept.status()).isEqualTo(200);
        assertThat(kept.json().get("sealed").asBoolean()).isTrue();
        assertThat(kept.json().get("basic").get("name").asText()).isEqualTo("李娜");
        ApiClient.Reply found = manager.get("/api/archives?mobile=13900139000");
        assertThat(found.json().get("archives").get(0).get("sealed").asBoolean()).isTrue();
    }

    @Test
    void anArchiveWaitingForReviewIsShownWithItsStatus() throws Exception {
        ApiClient.Reply reply = desk.get("/api/archives/" + chen);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("review_status").asText()).isEqualTo("pending");
        assertThat(desk.get("/api/archives?archive_no=" + chen).json().get("archives").get(0).get("review_status").asText())
                .isEqualTo("pending");
    }

    @Test
    void searchByMobileNameOrArchiveNumberAnswersTheViewAndIsAuditedOnce() throws Exception {
        long before = dangan.count("select count(*) from audit_log where actor = 'desk.li'");
        ApiClient.Reply byMobile = desk.get("/api/archives?mobile=" + enc("+86 138-0013-8000") + "&purpose=" + enc("phone call"));

        assertThat(byMobile.status()).as(byMobile.text()).isEqualTo(200);
        JsonNode hit = byMobile.json().get("archives").get(0);
        assertThat(byMobile.json().get("count").asInt()).isEqualTo(1);
        assertThat(fields(hit)).containsExactly("archive_no", "name", "tier", "review_status", "sealed", "gender", "birth_date",
                "mobile", "email");
        assertThat(hit.get("archive_no").asText()).isEqualTo(zhang);
        assertThat(hit.get("name").asText()).isEqualTo("张伟");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.li'")).isEqualTo(before + 1);
        Map<String, Object> audit = lastAudit("desk.li");
        assertThat(audit).containsEntry("action", "search").containsEntry("archive_no", zhang).containsEntry("purpose", "phone call")
                .containsEntry("categories", "basic");
        assertThat((String) audit.get("detail")).isEqualTo("GET /api/archives 按 手机 检索：1 份档案：" + zhang).doesNotContain("13800138000");

        assertThat(desk.get("/api/archives?name=" + enc("张伟")).json().get("archives").get(0).get("archive_no").asText()).isEqualTo(zhang);
        assertThat(desk.get("/api/archives?name=" + enc("张")).json().get("count").asInt()).isEqualTo(1);
        assertThat(desk.get("/api/archives?archive_no=" + wang).json().get("archives").get(0).get("name").asText()).isEqualTo("王芳");
        assertThat(desk.get("/api/archives?name=" + enc("王芳") + "&mobile=13800138000").json().get("count").asInt()).isZero();

        // more than dangan.archives.search-limit (2 here): capped, with a note
        ApiClient.Reply capped = desk.get("/api/archives?name=" + enc("周"));
        assertThat(capped.json().get("count").asInt()).isEqualTo(2);
        assertThat(capped.json().get("capped").asBoolean()).isTrue();
        assertThat(capped.json().get("note").asText()).contains("请缩小查找范围");

        assertThat(desk.get("/api/archives").status()).isEqualTo(400);
        ApiClient.Reply badMobile = desk.get("/api/archives?mobile=12345");
        assertThat(badMobile.status()).isEqualTo(400);
        assertThat(badMobile.json().get("error").asText()).contains("不是大陆手机号");
    }

    @Test
    void injectionAndTraversalLookingInputIsTreatedAsDataAndChangesNothing() throws Exception {
        long customers = dangan.count("select count(*) from customer");
        long audit = dangan.count("select count(*) from audit_log");

        ApiClient.Reply byName = desk.get("/api/archives?name=" + enc("' OR '1'='1"));
        assertThat(byName.status()).isEqualTo(200);
        assertThat(byName.json().get("count").asInt()).isZero();
        assertThat(desk.get("/api/archives?name=" + enc("x'; drop table customer; --")).json().get("count").asInt()).isZero();
        assertThat(desk.get("/api/archives?name=" + enc("%")).json().get("count").asInt()).isZero();
        assertThat(desk.get("/api/archives?archive_no=" + enc("1 or 1=1")).status()).isEqualTo(400);
        assertThat(desk.get("/api/archives/" + enc(zhang + "' or '1'='1")).status()).isEqualTo(400);
        assertThat(desk.get("/api/archives/" + zhang + "%3Bdrop%20table%20customer").status()).isEqualTo(400);
        ApiClient.Reply traversal = desk.get("/api/archives/..%2F..%2Fetc%2Fpasswd");
        assertThat(traversal.status()).isEqualTo(400);
        assertThat(traversal.json().get("error").asText()).contains("档案号是 6 到 20 位数字");
        assertThat(desk.get("/api/archives/%2e%2e%2fconfig").status()).isEqualTo(400);

        assertThat(dangan.count("select count(*) from customer")).isEqualTo(customers);
        assertThat(dangan.count("select count(*) from audit_log where action not in ('search')")).isEqualTo(
                audit - dangan.count("select count(*) from audit_log where id <= ? and action = 'search'", audit));
    }

    @Test
    void malformedOversizedAndUnauthenticatedRequestsAreRefusedWithAReason() throws Exception {
        long requests = dangan.count("select count(*) from access_request");

        ApiClient.Reply malformed = desk.post("/api/access-requests", "{\"archive_nos\": [\"" + zhang + "\"],\n \"categories\": [health]}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error").asText()).contains("JSON 格式错误，位于第 2 行第")
                .as("where it broke, never the text it broke on (it may be a password or an ID number)").doesNotContain("health");
        // the same in English for a client that asks for it
        java.net.http.HttpResponse<String> english = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + dangan.httpPort() + "/api/access-requests"))
                        .header("Authorization", "Bearer " + desk.token()).header("Content-Type", "application/json")
                        .header("Accept-Language", "en-US,en;q=0.9,zh;q=0.5")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"archive_nos\": [\"" + zhang + "\"],\n \"categories\": [health]}"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(english.statusCode()).isEqualTo(400);
        assertThat(english.body()).contains("malformed JSON at line 2, column");
        ApiClient.Reply oversized = desk.post("/api/access-requests", "{\"purpose\": \"" + "x".repeat(2_000_000) + "\"}");
        assertThat(oversized.status()).isEqualTo(413);
        assertThat(ApiClient.withToken(dangan, null).get("/api/archives/" + zhang).status()).isEqualTo(401);
        assertThat(ApiClient.withToken(dangan, "dgn_" + "B".repeat(43)).get("/api/archives/" + zhang).status()).isEqualTo(401);
        assertThat(ApiClient.withToken(dangan, desk.token() + "x").get("/api/archives/" + zhang).status()).isEqualTo(401);

        assertThat(dangan.count("select count(*) from access_request")).isEqualTo(requests);
    }

    @Test
    void theOpenApiDocumentDescribesTheArchiveResources() throws Exception {
        ApiClient.Reply doc = ApiClient.withToken(dangan, null).get("/api/openapi.json");

        assertThat(doc.status()).isEqualTo(200);
        JsonNode paths = doc.json().get("paths");
        assertThat(fields(paths)).contains("/archives", "/archives/{archiveNo}", "/access-requests", "/access-requests/{id}/approve",
                "/access-requests/{id}/reject", "/access-grants/{id}/return", "/tier-proposals", "/tier-proposals/{id}",
                "/tier-proposals/{id}/approve", "/tier-proposals/{id}/reject", "/review", "/review/{id}/accept",
                "/review/{id}/reject", "/review/archives/{archiveNo}/file", "/surveys/review", "/surveys/review/{id}/link");
        JsonNode read = paths.get("/archives/{archiveNo}").get("get");
        assertThat(read.get("summary").asText()).contains("withheld");
        assertThat(fields(read.get("responses"))).contains("200", "400", "401", "403", "404");
        assertThat(read.get("parameters").toString()).contains("archiveNo").contains("categories").contains("purpose");
    }

    // --- access requests and grants (D-25) ---

    static String request(String archiveNo, String category, int days) {
        return "{\"archive_nos\": [\"" + archiveNo + "\"], \"categories\": [\"" + category + "\"], \"purpose\": \"allergy check before a treatment\", \"days\": " + days + "}";
    }

    @Test
    void aGrantWidensTheViewForExactlyItsScopeUntilItIsReturned() throws Exception {
        ApiClient clerk = ApiClient.asNewUser(dangan, "desk.chen", Role.FRONT_DESK);
        ApiClient boss = ApiClient.asNewUser(dangan, "mgr.qian", Role.MANAGER);

        assertThat(clerk.get("/api/archives/" + zhang + "?categories=health").status()).isEqualTo(403);
        assertThat(lastAudit("desk.chen")).containsEntry("outcome", "denied").containsEntry("categories", "health");

        ApiClient.Reply asked = clerk.post("/api/access-requests", request(zhang, "health", 3));
        assertThat(asked.status()).as(asked.text()).isEqualTo(201);
        long requestId = asked.json().get("id").asLong();
        assertThat(asked.json().get("status").asText()).isEqualTo("pending");
        assertThat(lastAudit("desk.chen")).containsEntry("action", "access-request").containsEntry("archive_no", zhang)
                .containsEntry("categories", "health").containsEntry("purpose", "allergy check before a treatment");
        assertThat(clerk.post("/api/access-requests/" + requestId + "/approve", "{}").status()).isEqualTo(403);
        assertThat(boss.get("/api/access-requests").json().get("requests").toString()).contains("\"id\":" + requestId);

        ApiClient.Reply approved = boss.post("/api/access-requests/" + requestId + "/approve", "{\"by\": \"someone else\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        JsonNode grant = approved.json().get("grant");
        long grantId = grant.get("id").asLong();
        assertThat(grant.get("live").asBoolean()).isTrue();
        assertThat(approved.json().get("decided_by").asText()).isEqualTo("mgr.qian");
        assertThat(dangan.count("select count(*) from access_grant where id = ? and valid_until between now() + interval '3 days' - interval '1 minute'"
                + " and now() + interval '3 days' and approved_by = 'mgr.qian' and holder = 'desk.chen'", grantId)).isEqualTo(1);
        assertThat(lastAudit("mgr.qian")).containsEntry("action", "approve").containsEntry("grant_id", grantId)
                .containsEntry("archive_no", zhang)
                .containsEntry("detail", "desk.chen 的查阅请求 #" + requestId + " 已批准：授权 #" + grantId + "，3 天，档案 " + zhang);

        ApiClient.Reply read = clerk.get("/api/archives/" + zhang + "?categories=health&purpose=" + enc("allergy check"));
        assertThat(read.status()).as(read.text()).isEqualTo(200);
        assertThat(read.json().get("health").get(0).get("detail").asText()).isEqualTo("花生");
        assertThat(read.json().get("grant").asLong()).isEqualTo(grantId);
        assertThat(lastAudit("desk.chen")).containsEntry("action", "read").containsEntry("categories", "health")
                .containsEntry("grant_id", grantId).containsEntry("purpose", "allergy check");
        ApiClient.Reply whole = clerk.get("/api/archives/" + zhang);
        assertThat(texts(whole.json().get("categories"))).containsExactly("basic", "consumption", "health");
        assertThat(texts(whole.json().get("withheld"))).containsExactly("preferences", "feedback", "identity");
        // outside the scope: another archive, another category
        assertThat(clerk.get("/api/archives/" + wang + "?categories=health").status()).isEqualTo(403);
        assertThat(clerk.get("/api/archives/" + wang).json().has("health")).isFalse();
        assertThat(clerk.get("/api/archives/" + zhang + "?categories=identity").status()).isEqualTo(403);
        // someone else's grant does not widen anyone else's view
        assertThat(desk.get("/api/archives/" + zhang + "?categories=health").status()).isEqualTo(403);

        assertThat(boss.post("/api/access-grants/" + grantId + "/return", "").status()).isEqualTo(404);
        ApiClient.Reply returned = clerk.post("/api/access-grants/" + grantId + "/return", "");
        assertThat(returned.status()).as(returned.text()).isEqualTo(200);
        assertThat(returned.json().get("grant").get("live").asBoolean()).isFalse();
        assertThat(lastAudit("desk.chen")).containsEntry("action", "return").containsEntry("grant_id", grantId);
        assertThat(clerk.get("/api/archives/" + zhang + "?categories=health").status()).isEqualTo(403);
        assertThat(clerk.get("/api/archives/" + zhang).json().has("health")).isFalse();
        assertThat(clerk.post("/api/access-grants/" + grantId + "/return", "").status()).isEqualTo(409);
    }

    @Test
    void anExpiredGrantWidensNothing() throws Exception {
        ApiClient clerk = ApiClient.asNewUser(dangan, "svc.lin", Role.SERVICE);
        ApiClient boss = ApiClient.asNewUser(dangan, "mgr.he", Role.MANAGER);
        long requestId = clerk.post("/api/access-requests", request(wang, "consumption", 1)).json().get("id").asLong();
        long grantId = boss.post("/api/access-requests/" + requestId + "/approve", "").json().get("grant").get("id").asLong();
        assertThat(clerk.get("/api/archives/" + wang + "?categories=consumption").status()).isEqualTo(200);

        dangan.rows("update access_grant set valid_from = now() - interval '2 days', valid_until = now() - interval '1 minute'"
                + " where id = ? returning id", grantId);

        assertThat(clerk.get("/api/archives/" + wang + "?categories=consumption").status()).isEqualTo(403);
        assertThat(clerk.get("/api/archives/" + wang).json().has("consumption")).isFalse();
        assertThat(clerk.post("/api/access-grants/" + grantId + "/return", "").status()).isEqualTo(409);
    }

    @Test
    void aRequestIsDecidedByAnotherManagerAndARejectionNeedsAReason() throws Exception {
        ApiClient boss = ApiClient.asNewUser(dangan, "mgr.feng", Role.MANAGER);
        ApiClient other = ApiClient.asNewUser(dangan, "mgr.wei", Role.MANAGER);
        long own = boss.post("/api/access-requests", request(zhang, "identity", 1)).json().get("id").asLong();

        ApiClient.Reply self = boss.post("/api/access-requests/" + own + "/approve", "{}");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.json().get("error").asText()).contains("是你自己提交的");
        assertThat(lastAudit("mgr.feng")).containsEntry("outcome", "denied");
        assertThat(boss.post("/api/access-requests/" + own + "/reject", "{\"reason\": \"no\"}").status()).isEqualTo(403);

        ApiClient.Reply noReason = other.post("/api/access-requests/" + own + "/reject", "{}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().get("error").asText()).contains("驳回需要理由");
        assertThat(other.post("/api/access-requests/" + own + "/reject", "{\"reason\": \"  \"}").status()).isEqualTo(400);
        ApiClient.Reply rejected = other.post("/api/access-requests/" + own + "/reject", "{\"reason\": \"managers already see this\"}");
        assertThat(rejected.status()).as(rejected.text()).isEqualTo(200);
        assertThat(rejected.json().get("status").asText()).isEqualTo("rejected");
        assertThat(rejected.json().get("reason").asText()).isEqualTo("managers already see this");
        assertThat(rejected.json().get("grant").isNull()).isTrue();
        assertThat(lastAudit("mgr.wei")).containsEntry("action", "reject");
        assertThat(other.post("/api/access-requests/" + own + "/approve", "{}").status()).isEqualTo(409);
        assertThat(other.post("/api/access-requests/999999/approve", "{}").status()).isEqualTo(404);
        assertThat(dangan.count("select count(*) from access_grant where request_id = ?", own)).isZero();
    }

    @Test
    void aRequestIsValidatedBeforeAnythingIsStored() throws Exception {
        long before = dangan.count("select count(*) from access_request");
        ApiClient clerk = ApiClient.asNewUser(dangan, "desk.ma", Role.FRONT_DESK);

        assertThat(clerk.post("/api/access-requests", request(zhang, "secrets", 3)).status()).isEqualTo(400);
        assertThat(clerk.post("/api/access-requests", request(zhang, "health", 0)).status()).isEqualTo(400);
        ApiClient.Reply tooLong = clerk.post("/api/access-requests", request(zhang, "health", 31));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("error").asText()).contains("1 到 30");
        assertThat(clerk.post("/api/access-requests", request(zhang, "health", 3).replace("allergy check before a treatment", " ")).status())
                .isEqualTo(400);
        assertThat(clerk.post("/api/access-requests", request("209901999", "health", 3)).status()).isEqualTo(404);
        assertThat(clerk.post("/api/access-requests", request(li, "health", 3)).status()).isEqualTo(404); // sealed: unknown to front desk
        assertThat(clerk.post("/api/access-requests", request("../../etc", "health", 3)).status()).isEqualTo(400);
        assertThat(clerk.post("/api/access-requests", "[1, 2]").status()).isEqualTo(400);
        assertThat(auditor.post("/api/access-requests", request(zhang, "health", 3)).status()).isEqualTo(403);

        assertThat(dangan.count("select count(*) from access_request")).isEqualTo(before);
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
