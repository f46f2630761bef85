package dangan.surveys;

import dangan.notify.WebhookSignature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.normalise.MaxLength;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Survey intake end to end: real routes, real PostgreSQL, real files and real HTTP. */
@Tag("service")
class SurveyIntakeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "test-token-3f9a";
    private static final String SECRET = "wjx-signing-secret-0b7e";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path home;
    static RunningService dangan;

    static ApiClient keeper, manager, desk;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.surveys.rematch-ms", "200", "dangan.surveys.token", TOKEN,
                "dangan.surveys.sources", "wjx", "dangan.surveys.source.wjx.secret", SECRET));
        keeper = ApiClient.asNewUser(dangan, "keeper.sun", Role.KEEPER);
        manager = ApiClient.asNewUser(dangan, "mgr.wu", Role.MANAGER);
        desk = ApiClient.asNewUser(dangan, "desk.he", Role.FRONT_DESK);
        dangan.drop("registrations-for-surveys.csv", Path.of("test-data/surveys/registrations-for-surveys.csv"));
        assertThat(dangan.awaitHandled("registrations-for-surveys.csv").toString()).contains("/done/");
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    @Test
    void oneResponseBecomesFeedbackOnTheArchiveFoundByMobile() throws Exception {
        dropSurvey(dangan, "one-response.json", Path.of("test-data/surveys/one-response.json"));

        assertThat(awaitSurvey(dangan, "one-response.json").toString()).contains("/done/");
        Map<String, Object> feedback = dangan.row("""
                select f.kind, f.score, f.nps, f.comment, f.service, f.staff, f.submitted_at, f.source_line, g.source_type,
                       g.channel, g.status, g.rows_total, g.rows_updated
                from feedback f join customer c on c.id = f.customer_id join ingest g on g.id = f.source_ingest_id
                where c.mobile = ? and g.source_name = ?""", "13812340001", "one-response.json");
        assertThat(feedback).containsEntry("kind", "score").containsEntry("score", 5).containsEntry("nps", 10)
                .containsEntry("comment", "技师手法很专业,环境安静").containsEntry("service", "精油按摩")
                .containsEntry("staff", "李师傅").containsEntry("source_line", 1).containsEntry("source_type", "survey")
                .containsEntry("channel", "surveys").containsEntry("status", "done").containsEntry("rows_total", 1)
                .containsEntry("rows_updated", 1);
        assertThat(((java.sql.Timestamp) feedback.get("submitted_at")).toInstant())
                .isEqualTo(OffsetDateTime.parse("2026-11-20T14:30:00+08:00").toInstant());
        assertThat(dangan.row("select answers::text as answers, status from survey_response where survey_id = ?", "wjx-2026-000101"))
                .containsEntry("status", "filed");
        assertThat(Files.readString(dangan.rejectReport("one-response.json"), StandardCharsets.UTF_8))
                .isEqualTo("\uFEFF行,结果,列,值,原因\r\n");
        assertThat(dangan.count("select count(*) from audit_log a join ingest g on a.detail = '导入 #' || g.id || '：问卷回复 1 份归入反馈，投诉 0 件'"
                + " where g.source_name = ? and a.actor = 'system:surveys' and a.action = 'change'", "one-response.json")).isEqualTo(1);

        // the same response again, under another name: recognised by its survey_id, nothing filed twice
        dropSurvey(dangan, "one-response-again.json", Path.of("test-data/surveys/one-response.json"));
        assertThat(awaitSurvey(dangan, "one-response-again.json").toString()).contains("/done/");
        assertThat(dangan.row("select rows_total, rows_duplicate, rows_updated from ingest where source_name = ?", "one-response-again.json"))
                .containsEntry("rows_total", 1).containsEntry("rows_duplicate", 1).containsEntry("rows_updated", 0);
        assertThat(dangan.count("select count(*) from survey_response s join feedback f on f.source_ingest_id = s.source_ingest_id"
                + " where s.survey_id = ?", "wjx-2026-000101")).isEqualTo(1);
    }

    @Test
    void anArrayIsFiledAndALowScoreOpensAComplaint() throws Exception {
        dropSurvey(dangan, "batch.json", Path.of("test-data/surveys/batch.json"));
        assertThat(awaitSurvey(dangan, "batch.json").toString()).contains("/done/");

        assertThat(dangan.row("select rows_total, rows_updated, rows_review, rows_rejected from ingest where source_name = ?", "batch.json"))
                .containsEntry("rows_total", 2).containsEntry("rows_updated", 2).containsEntry("rows_review", 0)
                .containsEntry("rows_rejected", 0);
        // 赵磊, found by email: a score of 4 is feedback only
        assertThat(dangan.rows("select f.kind, f.score, f.source_line from feedback f join customer c on c.id = f.customer_id"
                + " where c.email = ?", "zhaolei@example.cn")).extracting(r -> r.get("kind") + "/" + r.get("score") + "/" + r.get("source_line"))
                .contains("score/4/1").doesNotContain("complaint/4/1");
        // 孙丽 gave 1: feedback and an open complaint to follow up
        assertThat(dangan.rows("select f.kind, f.status, f.score, f.comment, f.source_line from feedback f join customer c on c.id = f.customer_id"
                + " join ingest g on g.id = f.source_ingest_id where c.mobile = ? and g.source_name = ? order by f.kind desc",
                "13812340003", "batch.json"))
                .extracting(r -> r.get("kind") + "/" + r.get("status") + "/" + r.get("score") + "/" + r.get("source_line"))
                .containsExactly("score/closed/1/2", "complaint/open/1/2");
    }

    @Test
    void anUnmatchedResponseWaitsInReviewUntilALaterRegistrationBringsItsArchive() throws Exception {
        dropSurvey(dangan, "newcomer.json", """
                {"survey_id": "wjx-2026-000401", "customer": {"mobile": "13987650001", "name": "钱七"}, "score": 2,
                 "comment": "空调太冷", "service": "SPA"}""".getBytes(StandardCharsets.UTF_8));
        assertThat(awaitSurvey(dangan, "newcomer.json").toString()).contains("/done/");
        Map<String, Object> review = dangan.row("select id, status, reason, payload::text as payload from survey_review where survey_id = ?",
                "wjx-2026-000401");
        assertThat(review).containsEntry("status", "pending");
        assertThat((String) review.get("reason")).contains("没有档案有手机 13987650001");
        assertThat(dangan.row("select rows_review, rows_total from ingest where source_name = ?", "newcomer.json"))
                .containsEntry("rows_review", 1).containsEntry("rows_total", 1);
        // visible over HTTP too, to the archive keeper (staff token), and the look is audited
        ApiClient.Reply pending = keeper.get("/api/surveys/review");
        assertThat(pending.status()).isEqualTo(200);
        assertThat(pending.text()).contains("wjx-2026-000401").contains("空调太冷");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'keeper.sun' and action = 'read'"
                + " and detail like 'GET /api/surveys/review%'")).isGreaterThanOrEqualTo(1);

        dangan.drop("later-registration.csv", "姓名,手机\n钱七,13987650001\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("later-registration.csv");

        await("the waiting response linked").atMost(Duration.ofSeconds(30)).until(() ->
                "linked".equals(dangan.row("select status from survey_review where survey_id = ?", "wjx-2026-000401").get("status")));
        Map<String, Object> linked = dangan.row("select r.linked_by, c.mobile from survey_review r join customer c on c.id = r.customer_id"
                + " where r.survey_id = ?", "wjx-2026-000401");
        assertThat(linked).containsEntry("linked_by", "re-match").containsEntry("mobile", "13987650001");
        assertThat(dangan.rows("select f.kind, f.status, g.source_name, f.source_line from feedback f join customer c on c.id = f.customer_id"
                + " join ingest g on g.id = f.source_ingest_id where c.mobile = ? order by f.kind desc", "13987650001"))
                .extracting(r -> r.get("kind") + "/" + r.get("status") + "/" + r.get("source_name") + "/" + r.get("source_line"))
                .containsExactly("score/closed/newcomer.json/1", "complaint/open/newcomer.json/1");
        assertThat(dangan.row("select status from survey_response where survey_id = ?", "wjx-2026-000401")).containsEntry("status", "filed");
    }

    @Test
    void aPersonLinksAReviewEntryToAnArchiveOverHttp() throws Exception {
        HttpResponse<String> posted = post("/api/surveys", """
                {"survey_id": "web-777", "customer": {"name": "匿名客人", "email": "someone@unknown.example"}, "score": 4}""");
        assertThat(posted.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(posted.body()).get("received").asInt()).isEqualTo(1);
        long id = ((Number) dangan.row("select id from survey_review where survey_id = ?", "web-777").get("id")).longValue();
        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = ?", "13812340002").get("archive_no");

        ApiClient.Reply missing = manager.post("/api/surveys/review/" + id + "/link", "{\"by\": \"王经理\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("error").asText()).contains("archive_no");
        assertThat(manager.post("/api/surveys/review/" + id + "/link", "{\"archive_no\": \"199901999\"}").status()).isEqualTo(404);
        // the shared survey token and a front-desk token do not open the review queue
        assertThat(post("/api/surveys/review/" + id + "/link", "{\"archive_no\": \"" + archiveNo + "\"}").statusCode()).isEqualTo(401);
        assertThat(desk.post("/api/surveys/review/" + id + "/link", "{\"archive_no\": \"" + archiveNo + "\"}").status()).isEqualTo(403);

        // the person recorded is the caller, whatever the body says
        ApiClient.Reply linked = manager.post("/api/surveys/review/" + id + "/link", "{\"archive_no\": \"" + archiveNo + "\", \"by\": \"somebody\"}");
        assertThat(linked.status()).as(linked.text()).isEqualTo(200);
        assertThat(dangan.row("select r.status, r.linked_by, c.archive_no from survey_review r join customer c on c.id = r.customer_id"
                + " where r.id = ?", id)).containsEntry("status", "linked").containsEntry("linked_by", "mgr.wu")
                .containsEntry("archive_no", archiveNo);
        assertThat(dangan.count("select count(*) from feedback f join customer c on c.id = f.customer_id join ingest g"
                + " on g.id = f.source_ingest_id where c.archive_no = ? and g.source_type = 'survey' and f.score = 4 and g.source_name like 'POST%'",
                archiveNo)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from change_log l join customer c on c.id = l.customer_id where c.archive_no = ?"
                + " and l.field = 'feedback' and l.changed_by = 'mgr.wu'", archiveNo)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'mgr.wu' and action = 'change' and archive_no = ?"
                + " and categories = 'feedback'", archiveNo)).isEqualTo(1);
        assertThat(manager.post("/api/surveys/review/" + id + "/link", "{\"archive_no\": \"" + archiveNo + "\"}").status())
                .isEqualTo(409);
    }

    @Test
    void malformedJsonIsSetAsideWithTheLineColumnAndResponse() throws Exception {
        dropSurvey(dangan, "malformed.json", Path.of("test-data/surveys/malformed.json"));

        Path kept = awaitSurvey(dangan, "malformed.json");
        assertThat(kept.toString()).contains("/failed/");
        assertThat(Files.readAllBytes(kept)).isEqualTo(Files.readAllBytes(Path.of("test-data/surveys/malformed.json")));
        String error = Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"));
        assertThat(error).contains("文件：malformed.json").contains("此文件的任何内容都没有进入档案")
                .contains("原因：不是有效的 JSON（第 3 行第").contains("（在第 2 份回复中）");
        assertThat(dangan.row("select status, error from ingest where source_name = ?", "malformed.json"))
                .containsEntry("status", "failed");
        assertThat(dangan.count("select count(*) from survey_response where survey_id like 'wjx-2026-0003%'")).isZero();
    }

    @Test
    void aBadResponseOfABatchIsRejectedAndTheOthersAreFiled() throws Exception {
        dropSurvey(dangan, "batch-with-bad-response.json", Path.of("test-data/surveys/batch-with-bad-response.json"));

        Path kept = awaitSurvey(dangan, "batch-with-bad-response.json");
        assertThat(kept.toString()).contains("/failed/");
        String error = Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"));
        assertThat(error).contains("3 份回复中收下 2 份")
                .contains("第 3 份回复（$[2]）：\"score\" 必须是 1–5 的整数，实际是 \"five\"");
        assertThat(dangan.row("select status, rows_total, rows_updated, rows_rejected from ingest where source_name = ?",
                "batch-with-bad-response.json")).containsEntry("status", "done").containsEntry("rows_total", 3)
                .containsEntry("rows_updated", 2).containsEntry("rows_rejected", 1);
        assertThat(dangan.count("select count(*) from survey_response where survey_id in ('wjx-2026-000201', 'wjx-2026-000202')"))
                .isEqualTo(2);
        assertThat(dangan.count("select count(*) from survey_response where survey_id = 'wjx-2026-000203'")).isZero();

        String report = Files.readString(dangan.rejectReport("batch-with-bad-response.json"), StandardCharsets.UTF_8);
        List<CSVRecord> lines = CSVFormat.EXCEL.parse(new StringReader(report.substring(1))).getRecords();
        assertThat(lines).hasSize(2);
        assertThat(String.join("|", lines.get(1).values()))
                .isEqualTo("3|拒收|score|five|第 3 份回复（$[2]）：\"score\" 必须是 1–5 的整数，实际是 \"five\"");
        // the rejected response is kept, encrypted
        assertThat(dangan.count("select count(*) from intake_issue i join ingest g on g.id = i.ingest_id where g.source_name = ?"
                + " and i.raw_enc is not null", "batch-with-bad-response.json")).isEqualTo(1);
    }

    @Test
    void aPostIsFiledAndAnsweredWithTheCounts() throws Exception {
        HttpResponse<String> answer = post("/api/surveys", """
                [{"survey_id": "push-1", "customer": {"mobile": "13812340002"}, "score": 5, "comment": "很满意"},
                 {"survey_id": "push-2", "customer": {"mobile": "13812340002"}, "score": 0}]""");

        assertThat(answer.statusCode()).isEqualTo(201);
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode summary = JSON.readTree(answer.body());
        assertThat(summary.get("received").asInt()).isEqualTo(1);
        assertThat(summary.get("rejected").asInt()).isEqualTo(1);
        assertThat(summary.get("rejects").get(0).get("reason").asText())
                .isEqualTo("第 2 份回复（$[1]）：\"score\" 必须是 1–5 的整数，实际是 0");
        assertThat(dangan.row("select f.comment, g.source_type, g.channel from feedback f join ingest g on g.id = f.source_ingest_id"
                + " join survey_response s on s.source_ingest_id = g.id where s.survey_id = ?", "push-1"))
                .containsEntry("comment", "很满意").containsEntry("source_type", "survey").containsEntry("channel", "surveys");

        HttpResponse<String> again = post("/api/surveys", """
                {"survey_id": "push-1", "customer": {"mobile": "13812340002"}, "score": 5}""");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("duplicates").asInt()).isEqualTo(1);
    }

    /** Input limits (issue 10): a comment, service or staff longer than its field takes rejects its response, named, not echoed. */
    @Test
    void aTextLongerThanItsFieldTakesRejectsTheResponseNamingFieldLengthAndLimit() throws Exception {
        String longComment = "好".repeat(MaxLength.of("comment") + 1);
        HttpResponse<String> tooLong = post("/api/surveys", "{\"survey_id\": \"len-1\", \"customer\": {\"mobile\": \"13812340002\"},"
                + " \"score\": 4, \"comment\": \"" + longComment + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        JsonNode named = JSON.readTree(tooLong.body());
        assertThat(named.get("field").asText()).isEqualTo("comment");
        assertThat(named.get("error").asText()).contains("comment").contains("2001").contains("2000").doesNotContain("好好好");

        dropSurvey(dangan, "long-staff.json", """
                [{"survey_id": "len-2", "customer": {"mobile": "13812340002"}, "score": 5, "staff": "%s"},
                 {"survey_id": "len-3", "customer": {"mobile": "13812340002"}, "score": 5, "service": "%s", "staff": "%s"}]"""
                .formatted("李".repeat(101), "宴".repeat(200), "李".repeat(100)).getBytes(StandardCharsets.UTF_8));
        awaitSurvey(dangan, "long-staff.json");
        String report = Files.readString(dangan.rejectReport("long-staff.json"), StandardCharsets.UTF_8);
        assertThat(report).contains("staff").contains("101").contains("100").doesNotContain("李李李");
        assertThat(dangan.count("select count(*) from survey_response where survey_id like 'len-%'")).as("len-3 is just within").isOne();
    }

    @Test
    void withATokenConfiguredCallersWithoutItAreRefused() throws Exception {
        for (HttpRequest request : List.of(
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"survey_id\": \"t-1\", \"customer\": {\"mobile\": \"13812340002\"}, \"score\": 5}")).build(),
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .header("Authorization", "Bearer wrong")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"survey_id\": \"t-1\", \"customer\": {\"mobile\": \"13812340002\"}, \"score\": 5}")).build(),
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys/review")).GET().build(),
                HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys/review"))
                        .header("Authorization", "Bearer " + TOKEN).GET().build())) {
            HttpResponse<String> refused = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).containsAnyOf("Authorization: Bearer", "令牌无效"); // the shared survey token is no staff token
        }
        assertThat(dangan.count("select count(*) from survey_response where survey_id = 't-1'")).isZero();
    }

    @Test
    void aCustomerAndAStrangerGetTheSameAnswer() throws Exception {
        // whether a mobile belongs to a customer must not show: filed and waiting for review are both "received"
        JsonNode known = JSON.readTree(post("/api/surveys", """
                {"survey_id": "same-1", "customer": {"mobile": "13812340002"}, "score": 2}""").body());
        JsonNode stranger = JSON.readTree(post("/api/surveys", """
                {"survey_id": "same-2", "customer": {"mobile": "13999999999"}, "score": 2}""").body());

        ((com.fasterxml.jackson.databind.node.ObjectNode) known).remove("ingest");
        ((com.fasterxml.jackson.databind.node.ObjectNode) stranger).remove("ingest");
        assertThat(known).isEqualTo(stranger);
        assertThat(known.get("received").asInt()).isEqualTo(1);
        assertThat(dangan.row("select status from survey_response where survey_id = 'same-1'")).containsEntry("status", "filed");
        assertThat(dangan.count("select count(*) from survey_review where survey_id = 'same-2'")).isEqualTo(1);
    }

    @Test
    void aPlatformSignsItsPostsOrUsesASurveySourceToken() throws Exception {
        String body = "{\"survey_id\": \"signed-1\", \"customer\": {\"mobile\": \"13812340002\"}, \"score\": 5}";
        long now = System.currentTimeMillis() / 1000;
        String good = WebhookSignature.of(SECRET, (now + "." + body).getBytes(StandardCharsets.UTF_8));

        assertThat(signed(body, "wjx", now, WebhookSignature.of("not-the-secret-at-all", (now + "." + body)
                .getBytes(StandardCharsets.UTF_8))).statusCode()).as("wrong secret").isEqualTo(401);
        assertThat(signed(body, "other", now, good).statusCode()).as("unknown source").isEqualTo(401);
        long stale = now - 600;
        assertThat(signed(body, "wjx", stale, WebhookSignature.of(SECRET, (stale + "." + body)
                .getBytes(StandardCharsets.UTF_8))).statusCode()).as("signed ten minutes ago").isEqualTo(401);
        assertThat(signed(body.replace("5}", "1}"), "wjx", now, good).statusCode()).as("body changed").isEqualTo(401);
        assertThat(dangan.count("select count(*) from survey_response where survey_id = 'signed-1'")).isZero();
        HttpResponse<String> ok = signed(body, "wjx", now, good);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        // the same signed POST sent again inside the window (a captured request replayed) is refused, and files nothing more
        long ingestsBefore = dangan.count("select count(*) from ingest where source_name like 'POST /api/surveys from wjx %'");
        HttpResponse<String> replayed = signed(body, "wjx", now, good);
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("签名已经用过");
        assertThat(dangan.count("select count(*) from ingest where source_name like 'POST /api/surveys from wjx %'")).isEqualTo(ingestsBefore);
        // signed anew (another timestamp), the same body is taken: it is the signature that is spent, not the response
        long later = now + 1;
        assertThat(signed(body, "wjx", later, WebhookSignature.of(SECRET, (later + "." + body).getBytes(StandardCharsets.UTF_8)))
                .statusCode()).isIn(200, 201);
        assertThat(dangan.row("select g.source_name from survey_response s join ingest g on g.id = s.source_ingest_id"
                + " where s.survey_id = 'signed-1'").get("source_name")).asString().startsWith("POST /api/surveys from wjx ");

        // a staff token of the role survey-source posts surveys, and nothing else; a person's token does not post surveys
        ApiClient platform = ApiClient.asSurveySource(dangan);
        assertThat(platform.post("/api/surveys", body.replace("signed-1", "signed-2")).status()).isEqualTo(201);
        assertThat(platform.get("/api/me").status()).isEqualTo(403);
        assertThat(platform.get("/api/surveys/review").status()).isEqualTo(403);
        assertThat(keeper.post("/api/surveys", body.replace("signed-1", "signed-3")).status()).isEqualTo(401);
    }

    @Test
    void byDefaultAPostNeedsACredentialAndEachSourceIsLimited(@TempDir Path otherHome) throws Exception {
        try (RunningService other = RunningService.start(otherHome, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                "dangan.db.user", "postgres", "dangan.surveys.requests-per-minute", "2"))) {
            ApiClient platform = ApiClient.asSurveySource(other);
            ApiClient second = ApiClient.asSurveySource(other);
            String body = "{\"survey_id\": \"lim-%d\", \"customer\": {\"mobile\": \"13812340002\"}, \"score\": 5}";
            HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + other.httpPort() + "/api/surveys"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.formatted(0))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).contains("需要凭据");

            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> java.time.Instant.now().getEpochSecond() % 60 < 40); // three POSTs in one minute
            List<Integer> statuses = new java.util.ArrayList<>();
            for (int i = 1; i <= 3; i++) statuses.add(platform.post("/api/surveys", body.formatted(i)).status());
            assertThat(statuses).containsExactly(201, 201, 429);
            assertThat(second.post("/api/surveys", body.formatted(4)).status()).as("another source").isEqualTo(201);
            assertThat(other.count("select count(*) from (select survey_id from survey_review union select survey_id from survey_response) s"
                    + " where survey_id like 'lim-%'")).as("the refused one is not taken").isEqualTo(3);
        }
    }

    private static HttpResponse<String> signed(String body, String source, long timestamp, String signature)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .header("Content-Type", "application/json").header("X-Dangan-Source", source)
                        .header("X-Dangan-Timestamp", Long.toString(timestamp)).header("X-Dangan-Signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void badJsonOverHttpIsA400NamingWhereAndWhat() throws Exception {
        HttpResponse<String> notJson = post("/api/surveys", "{\"survey_id\": \"x-1\", \"score\": }");
        assertThat(notJson.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(notJson.body());
        assertThat(error.get("error").asText()).startsWith("不是有效的 JSON（第 1 行第");
        assertThat(error.get("line").asInt()).isEqualTo(1);
        HttpResponse<String> inEnglish = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN).header("Accept-Language", "en")
                .POST(HttpRequest.BodyPublishers.ofString("{\"survey_id\": \"x-1\", \"score\": }", StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(inEnglish.body()).get("error").asText()).startsWith("not valid JSON at line 1, column");

        HttpResponse<String> wrongType = post("/api/surveys", "{\"survey_id\": \"x-2\", \"customer\": {\"mobile\": \"13812340002\"},"
                + " \"score\": \"five\"}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        JsonNode named = JSON.readTree(wrongType.body());
        assertThat(named.get("field").asText()).isEqualTo("score");
        assertThat(named.get("error").asText()).isEqualTo("第 1 份回复（$）：\"score\" 必须是 1–5 的整数，实际是 \"five\"");

        HttpResponse<String> missing = post("/api/surveys", "{\"survey_id\": \"x-3\", \"score\": 3}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).contains("都没有");
        // the same reason in English for a caller that asks for it
        HttpResponse<String> missingEn = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN).header("Accept-Language", "en")
                .POST(HttpRequest.BodyPublishers.ofString("{\"survey_id\": \"x-4\", \"score\": 3}", StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(JSON.readTree(missingEn.body()).get("error").asText()).startsWith("response 1 ($): ").contains("are all missing");

        HttpResponse<String> tooBig = post("/api/surveys", "[" + "{\"survey_id\": \"big\"},".repeat(60_000) + "{}]");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(dangan.count("select count(*) from survey_response where survey_id like 'x-%'")).isZero();
    }

    @Test
    void anotherPlatformsPayloadIsReadThroughTheConfiguredMapping(@TempDir Path otherHome) throws Exception {
        Properties mapping = new Properties();
        try (var in = Files.newBufferedReader(Path.of("test-data/surveys/other-platform.properties"), StandardCharsets.UTF_8)) {
            mapping.load(in);
        }
        Map<String, String> overrides = new HashMap<>();
        mapping.stringPropertyNames().forEach(k -> overrides.put(k, mapping.getProperty(k)));
        overrides.put("dangan.db.url", TestDatabase.freshDatabase());
        overrides.put("dangan.db.user", "postgres");
        overrides.put("dangan.surveys.open", "true"); // the explicit setting: POSTs without a credential
        try (RunningService other = RunningService.start(otherHome, overrides)) {
            other.drop("registrations-for-surveys.csv", Path.of("test-data/surveys/registrations-for-surveys.csv"));
            other.awaitHandled("registrations-for-surveys.csv");
            dropSurvey(other, "other-platform.json", Path.of("test-data/surveys/other-platform.json"));
            assertThat(awaitSurvey(other, "other-platform.json").toString()).contains("/done/");

            assertThat(other.rows("select f.kind, f.score, f.nps, f.comment, f.service, f.staff from feedback f"
                    + " join customer c on c.id = f.customer_id where c.mobile = ? order by f.kind desc", "13812340002"))
                    .extracting(r -> r.get("kind") + "/" + r.get("score") + "/" + r.get("nps") + "/" + r.get("comment") + "/"
                            + r.get("service") + "/" + r.get("staff"))
                    .containsExactly("score/2/3/前台态度冷淡/足疗/前台小刘", "complaint/2/3/前台态度冷淡/足疗/前台小刘");
            assertThat(other.row("select answers::text as answers from survey_response where survey_id = ?", "880011").get("answers"))
                    .asString().contains("服务态度");

            // the same platform pushing over HTTP, with a wrong type: named by its place in that payload
            HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + other.httpPort() + "/api/surveys"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"data\": [{\"id\": 5, \"respondent\": {\"phone\": \"13812340002\"},"
                            + " \"rating\": {\"value\": 4.5}}]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).get("error").asText())
                    .isEqualTo("第 1 份回复（$.data[0]）：\"score\"（位于 /rating/value） 必须是 1–5 的整数，实际是 4.5");
        }
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static Path surveys(RunningService service) {
        return service.home().resolve("inbox").resolve("surveys");
    }

    /** Drops a file into inbox/surveys the way a copy does: written elsewhere, then moved in. */
    private static void dropSurvey(RunningService service, String name, byte[] content) throws IOException {
        Path staging = Files.createTempFile(service.home(), "copying-", ".tmp");
        Files.write(staging, content);
        Files.move(staging, surveys(service).resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void dropSurvey(RunningService service, String name, Path source) throws IOException {
        dropSurvey(service, name, Files.readAllBytes(source));
    }

    /** Waits until the file left inbox/surveys for done/ or failed/ and returns where it is. */
    private static Path awaitSurvey(RunningService service, String name) {
        // the .error.txt is written before the file moves; the ledger row is committed before either
        return RunningService.awaitHandled(surveys(service), name, Duration.ofSeconds(30));
    }
}
