package dangan.access;

import dangan.jobs.JobDate;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Findings of an adversarial review of the API, each pinned by the test that failed before its fix:
 * request data echoed as response headers, sealed archives (D-32) visible or changeable through side
 * doors, 500s that are the caller's mistake, and junk in the audit log's archive column.
 */
@Tag("service")
class ApiHardeningTest {

    static final LocalDate TODAY = LocalDate.now(ZoneId.of("Asia/Shanghai"));

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static ApiClient desk, manager, keeper, auditor;
    static String open;    // 甲一
    static String sealed;  // 乙二, sealed
    static long ingest;

    @BeforeAll
    static void start() throws Exception {
        StringBuilder file = new StringBuilder("姓名,手机号码,消费日期,消费金额\n");
        for (int i = 0; i < 3; i++) file.append("甲一,13822220001,").append(TODAY.minusDays(10 + i)).append(",100\n");
        for (int i = 0; i < 3; i++) file.append("乙二,13822220002,").append(TODAY.minusDays(20 + i)).append(",100\n");
        dangan.drop("hardening.csv", file.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("hardening.csv").toString()).contains("/done/");
        open = (String) dangan.row("select archive_no from customer where mobile = '13822220001'").get("archive_no");
        sealed = (String) dangan.row("select archive_no from customer where mobile = '13822220002'").get("archive_no");
        ingest = ((Number) dangan.row("select max(id) as id from ingest").get("id")).longValue();
        // the annual review proposes both (tier B -> D) before one of them is sealed
        dangan.rows("update customer set tier = 'B' where archive_no in (?, ?) returning id", open, sealed);
        dangan.service().camelContext().createProducerTemplate()
                .sendBodyAndHeader("direct:job-annual-tier-review", null, JobDate.HEADER, TODAY.plusDays(1));
        dangan.rows("update customer set sealed_at = now(), sealed_by = 'test', sealed_reason = 'court order', status = 'sealed'"
                + " where archive_no = ? returning id", sealed);
        desk = ApiClient.asNewUser(dangan, "desk.h", Role.FRONT_DESK);
        manager = ApiClient.asNewUser(dangan, "mgr.h", Role.MANAGER);
        keeper = ApiClient.asNewUser(dangan, "keeper.h", Role.KEEPER);
        auditor = ApiClient.asNewUser(dangan, "audit.h", Role.AUDITOR);
    }

    static void execute(String sql) throws Exception {
        try (Connection c = dangan.service().database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static HttpResponse<String> raw(String path, String token, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + path))
                .header("Authorization", "Bearer " + token).header("X-Probe", "echo-me");
        if (headers.length > 0) builder.headers(headers);
        HttpRequest request = builder.GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void queryParametersAndRequestHeadersAreNotEchoedAsResponseHeaders() throws Exception {
        HttpResponse<String> found = raw("/api/archives?mobile=13822220001&purpose=check-in", desk.token());
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        // a customer's mobile number must not travel back in the headers (proxies log them)
        assertThat(found.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("mobile") || h.equalsIgnoreCase("purpose")
                || h.equalsIgnoreCase("X-Probe") || h.equalsIgnoreCase("archiveNo"));
        assertThat(found.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");

        // a control character in a parameter was copied into a response header and failed the answer with a bare 500
        HttpResponse<String> nul = raw("/api/archives/" + open + "?categories=%00", desk.token());
        assertThat(nul.statusCode()).as(nul.body()).isEqualTo(400);
        assertThat(nul.body()).contains("\"error\"");
        HttpResponse<String> crlf = raw("/api/archives?name=a%0d%0aSet-Cookie:x=1", desk.token());
        assertThat(crlf.statusCode()).as(crlf.body()).isEqualTo(200);
        assertThat(crlf.headers().firstValue("Set-Cookie")).isEmpty();
        HttpResponse<String> denied = raw("/api/archives/" + open + "?categories=health&purpose=x", desk.token());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("categories") || h.equalsIgnoreCase("X-Probe"));
    }

    @Test
    void aSealedArchiveDoesNotExistForFrontDeskRequestsAndDeletionRequests() throws Exception {
        long requests = dangan.count("select count(*) from subject_request");
        long proposals = dangan.count("select count(*) from destruction_proposal");

        ApiClient.Reply request = desk.post("/api/archives/" + sealed + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}");
        assertThat(request.status()).as(request.text()).isEqualTo(404);
        ApiClient.Reply unknown = desk.post("/api/archives/209901999/requests", "{\"kind\": \"access\", \"via\": \"desk\"}");
        assertThat(request.json().get("error").asText()).isEqualTo(unknown.json().get("error").asText().replace("209901999", sealed));
        ApiClient.Reply deletion = desk.post("/api/archives/" + sealed + "/deletion-request", "{\"via\": \"phone\"}");
        assertThat(deletion.status()).as(deletion.text()).isEqualTo(404);
        ApiClient.Reply unknownDeletion = desk.post("/api/archives/209901999/deletion-request", "{\"via\": \"phone\"}");
        assertThat(deletion.json().get("error").asText())
                .isEqualTo(unknownDeletion.json().get("error").asText().replace("209901999", sealed));
        assertThat(dangan.count("select count(*) from subject_request")).isEqualTo(requests);
        assertThat(dangan.count("select count(*) from destruction_proposal")).isEqualTo(proposals);

        // the keeper sees sealed archives and may still record a customer's access request for one
        ApiClient.Reply byKeeper = keeper.post("/api/archives/" + sealed + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}");
        assertThat(byKeeper.status()).as(byKeeper.text()).isEqualTo(201);
        // and an open archive is unchanged for the front desk
        assertThat(desk.post("/api/archives/" + open + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}").status()).isEqualTo(201);
    }

    @Test
    void heldChangesOfASealedArchiveAreNotAcceptedFromTheReviewQueue() throws Exception {
        long customer = ((Number) dangan.row("select id from customer where archive_no = ?", sealed).get("id")).longValue();
        long name = ((Number) dangan.row("""
                insert into pending_change (customer_id, field, current_value, proposed_value, reason, source_ingest_id, source_line)
                values (?, 'name', '乙二', '乙三', 'test', ?, 5) returning id""", customer, ingest).get("id")).longValue();
        long health = ((Number) dangan.row("""
                insert into pending_change (customer_id, field, proposed_value, proposed_hash, proposed_enc, reason, source_ingest_id, source_line)
                values (?, 'health:allergy', '[health data, encrypted]', '\\x01'::bytea, '\\x02'::bytea, 'test', ?, 6) returning id""",
                customer, ingest).get("id")).longValue();

        ApiClient.Reply byName = keeper.post("/api/review/" + name + "/accept", "");
        assertThat(byName.status()).as(byName.text()).isEqualTo(409); // was a 500 from the database trigger
        assertThat(byName.json().get("error").asText()).contains("档案 " + sealed + " 已封存");
        ApiClient.Reply byHealth = manager.post("/api/review/" + health + "/accept", "");
        assertThat(byHealth.status()).as(byHealth.text()).isEqualTo(409); // was 200: a health fact filed into a read-only archive
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", customer)).isZero();
        assertThat(dangan.row("select name from customer where id = ?", customer)).containsEntry("name", "乙二");
        assertThat(dangan.count("select count(*) from pending_change where id in (?, ?) and status = 'pending'", name, health)).isEqualTo(2);
        // nor is a sealed archive from a low-trust source filed (review_status is outside the trigger's columns)
        dangan.rows("update customer set review_status = 'pending' where id = ? returning id", customer);
        ApiClient.Reply filed = keeper.post("/api/review/archives/" + sealed + "/file", "");
        assertThat(filed.status()).as(filed.text()).isEqualTo(404);
        assertThat(dangan.row("select review_status from customer where id = ?", customer)).containsEntry("review_status", "pending");
        // rejecting changes nothing of the archive and stays possible
        assertThat(keeper.post("/api/review/" + name + "/reject", "").status()).isEqualTo(200);
    }

    @Test
    void aTierProposalWithANowSealedArchiveIsApprovedWithThatLineStale() throws Exception {
        long id = ((Number) dangan.row("select id from tier_proposal").get("id")).longValue();
        ApiClient.Reply approved = manager.post("/api/tier-proposals/" + id + "/approve", "{}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200); // was a 500: the sealed archive's trigger failed all lines
        assertThat(approved.json().get("approved").asInt()).isEqualTo(1);
        assertThat(approved.json().get("stale").asInt()).isEqualTo(1);
        assertThat(dangan.row("select tier::text as t from customer where archive_no = ?", open)).containsEntry("t", "D");
        assertThat(dangan.row("select tier::text as t from customer where archive_no = ?", sealed)).containsEntry("t", "B");
        assertThat((String) dangan.row("select l.note from tier_proposal_line l join customer c on c.id = l.customer_id"
                + " where c.archive_no = ?", sealed).get("note")).isEqualTo("未调整：评审之后档案已被封存（D-32：只读）");
    }

    @Test
    void anArchiveSealedByItsStatusAloneIsHiddenFromHistoryAndConsentsToo() throws Exception {
        // status 'sealed' without sealed_at (archives sealed before V13): the read API hides it; history and consents did not
        dangan.drop("status-sealed.csv", "姓名,手机号码\n丁四,13822220004\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("status-sealed.csv");
        String old = (String) dangan.row("select archive_no from customer where mobile = '13822220004'").get("archive_no");
        dangan.rows("update customer set status = 'sealed' where archive_no = ? returning id", old);
        assertThat(desk.get("/api/archives/" + old).status()).isEqualTo(404);

        assertThat(desk.get("/api/archives/" + old + "/history").status()).isEqualTo(404);
        assertThat(desk.get("/api/archives/" + old + "/consents").status()).isEqualTo(404);
        assertThat(desk.post("/api/archives/" + old + "/consents", "{\"purpose\": \"marketing\", \"granted\": true}").status())
                .isEqualTo(404);
        assertThat(manager.post("/api/archives/" + old + "/consents", "{\"purpose\": \"marketing\", \"granted\": true}").status())
                .isEqualTo(409);
        assertThat(dangan.count("select count(*) from consent c join customer u on u.id = c.customer_id where u.archive_no = ?", old))
                .isZero();
        assertThat(keeper.get("/api/archives/" + old + "/history").status()).isEqualTo(200);
    }

    @Test
    void anIdNumberTypedIntoTheWrongFieldReachesNeitherTheLogNorTheAuditLogInFull() throws Exception {
        String id = "44030419900101123X";
        String digits = "440304199001011233";
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Api.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        log.addAppender(lines);
        try {
            ApiClient.Reply search = desk.get("/api/archives?archive_no=" + id);
            assertThat(search.status()).isEqualTo(400);
            assertThat(search.text()).doesNotContain(id).contains("440304********123X");
            assertThat(desk.get("/api/archives/" + id + "/consents").status()).isEqualTo(404);
            assertThat(auditor.get("/api/archives/" + digits).status()).isEqualTo(403);
            assertThat(auditor.get("/api/archives/" + id + "/history").status()).isEqualTo(400);
        } finally {
            log.detachAppender(lines);
        }
        assertThat(lines.list).isNotEmpty();
        assertThat(lines.list).noneMatch(e -> e.getFormattedMessage().contains(id) || e.getFormattedMessage().contains(digits));
        assertThat(dangan.count("select count(*) from audit_log where detail like '%' || ? || '%' or detail like '%' || ? || '%'"
                + " or archive_no in (?, ?)", id, digits, id, digits)).isZero();
        assertThat(dangan.count("select count(*) from audit_log where actor = 'audit.h' and detail like '%440304********1233%'"))
                .isEqualTo(1);
    }

    @Test
    void aSurveyPostThatFailsInTheDatabaseAnswersAReferenceNotTheSqlError() throws Exception {
        execute("alter table survey_response rename to survey_response_away");
        ApiClient.Reply reply;
        try {
            reply = ApiClient.asSurveySource(dangan).post("/api/surveys?probe=1", """
                    {"survey_id": "hardening-1", "customer": {"mobile": "13822220001"}, "score": 4}""");
        } finally {
            execute("alter table survey_response_away rename to survey_response");
        }
        assertThat(reply.status()).as(reply.text()).isEqualTo(500);
        assertThat(reply.json().get("error").asText()).contains("服务日志中的编号").doesNotContain("survey_response")
                .doesNotContain("PSQLException").doesNotContain("ERROR");
    }

    @Test
    void requestHeadersNamedLikeQueryParametersAreNotTakenForThem() throws Exception {
        // a header "field: health" made the history answer 403 for the front desk; "purpose:" reached the audit log
        HttpResponse<String> history = raw("/api/archives/" + open + "/history", desk.token(), "field", "health", "purpose", "from-a-header");
        assertThat(history.statusCode()).as(history.body()).isEqualTo(200);
        assertThat(dangan.row("select purpose, detail from audit_log where actor = 'desk.h' order by id desc limit 1"))
                .containsEntry("purpose", null).containsEntry("detail", "查看变更记录");
        HttpResponse<String> audit = raw("/api/audit", auditor.token(), "limit", "0");
        assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
        HttpResponse<String> proposals = raw("/api/destruction-proposals", keeper.token(), "status", "whatever");
        assertThat(proposals.statusCode()).as(proposals.body()).isEqualTo(200);
        // the query string still works
        assertThat(raw("/api/audit?limit=0", auditor.token()).statusCode()).isEqualTo(400);
        assertThat(raw("/api/archives/" + open + "/history?field=health", desk.token()).statusCode()).isEqualTo(403);
    }

    @Test
    void malformedPathsAndDatesAre400sAndNeverReachTheAuditLog() throws Exception {
        long junk = dangan.count("select count(*) from audit_log where archive_no !~ '^[0-9]+$'");
        ApiClient.Reply history = auditor.get("/api/archives/abc'or%201=1/history");
        assertThat(history.status()).as(history.text()).isEqualTo(400);
        assertThat(dangan.count("select count(*) from audit_log where archive_no !~ '^[0-9]+$'")).isEqualTo(junk);

        // years PostgreSQL cannot take in every zone were 500s
        ApiClient.Reply kpi = auditor.get("/api/kpi?month=0001-01");
        assertThat(kpi.status()).as(kpi.text()).isEqualTo(400);
        assertThat(auditor.get("/api/audit?from=0001-01-01").status()).isEqualTo(400);
        assertThat(auditor.get("/api/audit?to=0000-12-31T00:00:00Z").status()).isEqualTo(400);
        assertThat(manager.get("/api/archives/" + open + "/history?on=0001-01-01").status()).isEqualTo(400);
        assertThat(auditor.get("/api/audit?from=2026-01-01").status()).isEqualTo(200);
    }

    @Test
    void everyResourceUnderAnArchiveChecksTheArchiveNumberTheSameWay() throws Exception {
        long requests = dangan.count("select count(*) from subject_request");
        String bad = "1%27%20or%201=1";  // 1' or 1=1

        for (ApiClient.Reply reply : List.of(
                keeper.get("/api/archives/" + bad + "/export?request_id=1"),
                keeper.post("/api/archives/" + bad + "/corrections", "{\"changes\": {\"address\": \"x\"}, \"reason\": \"x\"}"),
                keeper.post("/api/archives/" + bad + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}"),
                keeper.post("/api/archives/" + bad + "/deletion-request", "{\"via\": \"desk\"}"),
                manager.post("/api/archives/" + bad + "/unseal", "{\"reason\": \"x\"}"))) {
            assertThat(reply.status()).as(reply.text()).isEqualTo(400);
            assertThat(reply.json().get("error").asText()).startsWith("档案号是 6 到 20 位数字");
        }
        assertThat(dangan.count("select count(*) from subject_request")).isEqualTo(requests);
    }

    /** The HTTP server leaves nothing in the temporary folder: its Vert.x kept a vertx-cache-… folder there, left by every killed service. */
    @Test
    void theHttpServerKeepsNoFileCacheInTheTemporaryFolder() {
        io.vertx.core.Vertx vertx = org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter
                .lookup(dangan.service().camelContext(), org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter
                        .getRouterNameFromPort(dangan.httpPort())).vertx();
        String cache = ((io.vertx.core.file.impl.FileResolverImpl) ((io.vertx.core.impl.VertxInternal) vertx).fileResolver()).cacheDir();
        assertThat(cache).as("Vert.x's file cache folder").isNull();
    }
}
