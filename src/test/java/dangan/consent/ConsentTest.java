package dangan.consent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dangan.access.Role;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.jobs.JobDate;
import dangan.store.Db;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestMailbox;
import jakarta.mail.internet.MimeMessage;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Consent per purpose (PIPL, D-28) end to end: intake columns, history, marketing feeds and digests, flags. */
@Tag("service")
class ConsentTest {

    @RegisterExtension
    static GreenMailExtension mail = new GreenMailExtension(TestMailbox.patient(ServerSetupTest.SMTP)).withPerMethodLifecycle(false);

    @TempDir
    static Path home;
    static RunningService dangan;
    static Consents consents;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> s = RunningService.freshDatabase();
        s.putAll(TestMailbox.smtp(mail));
        s.put("dangan.reminders.digest.to", "marketing@dangan.example");
        s.put("dangan.feeds.headings", "keys"); // the feeds as a system reads them; the digest in Chinese
        dangan = RunningService.start(home, s);
        consents = dangan.bean("consents", Consents.class);
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    static void drop(String name, String csv) throws Exception {
        dangan.drop(name, csv, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(name).toString()).contains("/done/");
    }

    static long customer(String mobile) throws Exception {
        return ((Number) dangan.row("select id from customer where mobile = ?", mobile).get("id")).longValue();
    }

    static boolean marketingOk(String mobile) throws Exception {
        return (Boolean) dangan.row("select marketing_ok(id) as ok from customer where mobile = ?", mobile).get("ok");
    }

    static List<CSVRecord> csv(Path file) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8).substring(1);
        return CSVFormat.EXCEL.builder().setHeader().get().parse(new StringReader(text)).getRecords();
    }

    @Test
    void intakeFilesRecordConsentPerPurposeWithSourceVersionAndHistory() throws Exception {
        drop("consent-1.csv", """
                姓名,手机,营销同意,敏感信息同意,同意书版本
                赵一,13600000001,是,同意,v2026-01
                钱二,13600000002,否,,v2026-01
                孙三,13600000003,也许吧,,
                李四,13600000004,,,
                """);
        long zhao = customer("13600000001");
        assertThat(dangan.rows("select purpose, granted, source, wording_version, source_line from consent where customer_id = ? order by purpose", zhao))
                .extracting(r -> r.get("purpose") + "|" + r.get("granted") + "|" + r.get("source") + "|" + r.get("wording_version") + "|" + r.get("source_line"))
                .containsExactly("marketing|true|file:registrations|v2026-01|2", "sensitive|true|file:registrations|v2026-01|2");
        assertThat(marketingOk("13600000001")).isTrue();
        assertThat(marketingOk("13600000002")).isFalse(); // refused
        assertThat(marketingOk("13600000004")).isFalse(); // never asked: marketing needs consent (PIPL)
        // a value that is neither yes nor no is a warning naming the forms; nothing is recorded for it
        assertThat(dangan.count("select count(*) from consent where customer_id = ?", customer("13600000003"))).isZero();
        List<CSVRecord> rejects = csv(dangan.rejectReport("consent-1.csv"));
        assertThat(rejects).hasSize(1);
        assertThat(rejects.get(0).get("结果")).isEqualTo("警告");
        assertThat(rejects.get(0).get("列")).isEqualTo("营销同意");
        assertThat(rejects.get(0).get("原因")).contains("'也许吧' 不是同意与否的回答").contains("是/同意/yes");

        // withdrawal is a new row and wins at once; repeating a decision with the same wording records nothing
        drop("consent-2.csv", """
                name,mobile,marketing consent,sensitive consent,consent version
                赵一,13600000001,withdrawn,yes,v2026-01
                """);
        assertThat(marketingOk("13600000001")).isFalse();
        assertThat(dangan.rows("select purpose, granted from consent where customer_id = ? order by id", zhao))
                .extracting(r -> r.get("purpose") + "|" + r.get("granted"))
                .containsExactly("marketing|true", "sensitive|true", "marketing|false");
        // a line that only changes consent is an update, not a duplicate
        assertThat(dangan.row("select rows_updated, rows_duplicate from ingest where source_name = 'consent-2.csv'"))
                .containsEntry("rows_updated", 1).containsEntry("rows_duplicate", 0);
        assertThat(consents.current(zhao)).containsOnlyKeys("marketing", "sensitive");
        assertThat(consents.current(zhao).get("marketing").granted()).isFalse();
        assertThat(consents.history(zhao)).hasSize(3);
    }

    @Test
    void consentsRecordedThroughTheJavaApiKeepTheirHistory() throws Exception {
        drop("api.csv", "姓名,手机\n周五,13600000005\n");
        long zhou = customer("13600000005");
        Db.jdbi(dangan.service().database().dataSource()).useTransaction(h -> {
            consents.record(h, zhou, "marketing", true, "api", "v3", "王经理");
            consents.record(h, zhou, "service", true, "paper form", null);
        });
        assertThat(marketingOk("13600000005")).isTrue();
        assertThat(consents.current(zhou).get("marketing")).satisfies(k -> {
            assertThat(k.source()).isEqualTo("api");
            assertThat(k.wordingVersion()).isEqualTo("v3");
            assertThat(k.recordedBy()).isEqualTo("王经理");
            assertThat(k.recordedAt()).isNotNull();
        });
        Db.jdbi(dangan.service().database().dataSource())
                .useHandle(h -> consents.record(h, zhou, "marketing", false, "mail", "v3")); // autocommit: withdrawal by mail
        assertThat(consents.granted(zhou, "marketing")).isFalse();
        assertThat(consents.granted(zhou, "service")).isTrue();
        assertThat(consents.history(zhou)).extracting(Consents.Consent::source).containsExactly("mail", "paper form", "api");
        Db.jdbi(dangan.service().database().dataSource()).useHandle(h -> {
            assertThatThrownBy(() -> consents.record(h, zhou, "profiling", true, "api", null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service, contact, marketing or sensitive");
            assertThatThrownBy(() -> consents.record(h, zhou, "marketing", true, " ", null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
        });
    }

    @Test
    void anObjectionLeavesTheCustomerOutOfTheNextVisitPlanAndAMarketingWithdrawalOutOfTheGreetings() throws Exception {
        drop("feed-1.csv", """
                姓名,手机,营销同意
                吴六,13600000006,是
                郑七,13600000007,是
                """);
        // due now: opened long ago (tier E: outreach staff phone yearly)
        dangan.rows("update customer set created_at = '2025-11-20 10:00+08' where mobile in ('13600000006', '13600000007') returning id");
        LocalDate day = LocalDate.of(2026, 11, 24);
        runJob("visit-plan", day);
        assertThat(csv(feed(day))).extracting(r -> r.get("mobile")).filteredOn(m -> m.compareTo("13600000006") >= 0)
                .containsExactlyInAnyOrder("13600000006", "13600000007");
        assertThat(digestText(day)).contains("吴六").contains("郑七");

        // 吴六 objects to being contacted at all (by file); 郑七 only withdraws marketing; 冯八 arrives without any
        // consent recorded (a customer of the service relationship); 秦九 arrives with a marketing grant
        drop("feed-2.csv", """
                姓名,手机,服务同意,营销同意
                吴六,13600000006,撤回,撤回
                郑七,13600000007,,撤回
                冯八,13600000008,,
                秦九,13600000019,,同意
                """);
        dangan.rows("update customer set created_at = '2025-11-20 10:00+08' where mobile in ('13600000008', '13600000019') returning id");
        runJob("visit-plan", day.plusDays(1));
        // the visit plan is the service relationship: 冯八 and 秦九 are visited, 吴六 (objected) is not
        assertThat(csv(feed(day.plusDays(1)))).extracting(r -> r.get("mobile")).filteredOn(m -> m.compareTo("13600000006") >= 0)
                .containsExactlyInAnyOrder("13600000008", "13600000019");
        JsonNode plan = new ObjectMapper().readTree(home.resolve("outbox/reminders/" + day.plusDays(1) + ".json").toFile());
        assertThat(plan.get("consent_purpose").asText()).isEqualTo("contact");
        assertThat(plan.get("left_out").get("service-objected").asLong()).isEqualTo(1);
        String digest = digestText(day.plusDays(1));
        assertThat(digest).contains("冯八").doesNotContain("吴六").contains("1 条因客户拒绝服务联系未发");
        // at once: the day's feed written again leaves out the reminder issued before the objection; a marketing
        // withdrawal does not end the service relationship (郑七 stays)
        runJob("visit-plan", day);
        assertThat(csv(feed(day))).extracting(r -> r.get("mobile")).filteredOn(m -> m.compareTo("13600000006") >= 0)
                .containsExactly("13600000007");
        // greetings are marketing: only 秦九 of the four, who granted it
        runJob("greetings", LocalDate.of(2026, 12, 26));
        List<CSVRecord> greetings = csv(home.resolve("outbox/reminders/2026-12-26-greetings.csv"));
        assertThat(greetings).extracting(r -> r.get("mobile")).contains("13600000019")
                .doesNotContain("13600000006", "13600000007", "13600000008");
        JsonNode greeted = new ObjectMapper().readTree(home.resolve("outbox/reminders/2026-12-26-greetings.json").toFile());
        assertThat(greeted.get("left_out").get("marketing-withdrawn").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(greeted.get("left_out").get("no-marketing-consent").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void sensitiveDataWithoutItsConsentIsFlaggedInTheViewAndTheCompletenessReport() throws Exception {
        drop("sensitive.csv", """
                姓名,手机,过敏史,敏感信息同意,出生日期,性别,地址,偏好
                陈九,13600000009,乳糖不耐,,1980-01-01,男,杭州,茶
                褚十,13600000010,芒果过敏,是,1981-01-01,女,杭州,茶
                卫十一,13600000011,,,1982-01-01,女,杭州,茶
                """);
        long chen = customer("13600000009");
        assertThat(dangan.rows("select customer_id, archive_no, has_id_number, health_facts, consent from sensitive_without_consent"
                + " where customer_id in (select id from customer where mobile like '1360000001%' or mobile = '13600000009')"))
                .extracting(r -> r.get("customer_id") + "|" + r.get("has_id_number") + "|" + r.get("health_facts") + "|" + r.get("consent"))
                .containsExactly(chen + "|false|1|null");
        runJob("completeness", LocalDate.of(2026, 11, 30));
        List<CSVRecord> rows = csv(home.resolve("outbox/reminders/2026-11-30-completeness.csv"));
        assertThat(rows).filteredOn(r -> r.get("mobile").equals("13600000009"))
                .extracting(r -> r.get("owner_role") + "|" + r.get("subject")).containsExactly("front-desk|sensitive_consent");
        assertThat(rows).filteredOn(r -> r.get("mobile").equals("13600000010") || r.get("mobile").equals("13600000011")).isEmpty();
        // the health data itself never appears in the report
        assertThat(Files.readString(home.resolve("outbox/reminders/2026-11-30-completeness.csv"))).doesNotContain("乳糖");
    }

    @Test
    void theApiReadsAndRecordsConsentAndAuditsEveryChange() throws Exception {
        drop("api-rest.csv", "姓名,手机,营销同意,同意书版本\n蒋十二,13600000012,是,v1\n");
        String no = (String) dangan.row("select archive_no from customer where mobile = '13600000012'").get("archive_no");
        ApiClient desk = ApiClient.asNewUser(dangan, "desk.consent", Role.FRONT_DESK);

        ApiClient.Reply read = desk.get("/api/archives/" + no + "/consents");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("marketing_ok").asBoolean()).isTrue();
        assertThat(read.json().get("current").get("marketing").get("source").asText()).isEqualTo("file:registrations");
        assertThat(read.json().get("current").get("marketing").get("wording_version").asText()).isEqualTo("v1");
        assertThat(read.json().get("archive_no").asText()).isEqualTo(no);

        ApiClient.Reply withdrawn = desk.post("/api/archives/" + no + "/consents",
                "{\"purpose\": \"marketing\", \"granted\": false, \"source\": \"phone\", \"wording_version\": \"v1\"}");
        assertThat(withdrawn.status()).isEqualTo(201);
        assertThat(withdrawn.json().get("recorded").get("granted").asBoolean()).isFalse();
        assertThat(marketingOk("13600000012")).isFalse(); // at once
        assertThat(desk.get("/api/archives/" + no + "/consents").json().get("history")).hasSize(2);
        assertThat(dangan.row("select actor, role, action, archive_no, outcome, detail from audit_log where action = 'change'"
                + " and archive_no = ?", no)).containsEntry("actor", "desk.consent").containsEntry("role", "front-desk")
                .containsEntry("outcome", "ok");

        // bad input: a clear 4xx, nothing recorded
        long before = dangan.count("select count(*) from consent");
        assertThat(desk.post("/api/archives/" + no + "/consents", "{\"purpose\": \"profiling\", \"granted\": true}").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/" + no + "/consents", "{\"purpose\": \"marketing\", \"granted\": \"yes\"}").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/" + no + "/consents", "{\"purpose\": \"marketing\"").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/999999999/consents", "{\"purpose\": \"marketing\", \"granted\": true}").status()).isEqualTo(404);
        assertThat(desk.post("/api/archives/x'%20or%201=1/consents", "{\"purpose\": \"marketing\", \"granted\": true}").status()).isBetween(400, 404);
        // roles without archive contents may not
        ApiClient auditor = ApiClient.asNewUser(dangan, "auditor.consent", Role.AUDITOR);
        assertThat(auditor.get("/api/archives/" + no + "/consents").status()).isEqualTo(403);
        assertThat(auditor.post("/api/archives/" + no + "/consents", "{\"purpose\": \"marketing\", \"granted\": true}").status())
                .isEqualTo(403);
        assertThat(dangan.count("select count(*) from consent")).isEqualTo(before);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'auditor.consent' and outcome = 'denied'")).isEqualTo(2);
    }

    @Test
    void aSurveyResponseCarriesConsent() throws Exception {
        drop("survey-guest.csv", "姓名,手机,营销同意\n沈十三,13600000013,是\n");
        long shen = customer("13600000013");
        java.net.http.HttpResponse<String> posted = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + dangan.httpPort() + "/api/surveys"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ApiClient.asSurveySource(dangan).token())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                                {"survey_id": "consent-1", "customer": {"mobile": "13600000013"}, "score": 5,
                                 "consent": {"marketing": "不同意", "sensitive": true, "version": "survey-v2"}}""",
                                StandardCharsets.UTF_8)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isLessThan(300);
        assertThat(marketingOk("13600000013")).isFalse();
        assertThat(dangan.rows("select purpose, granted, source, wording_version from consent where customer_id = ? and source like 'survey%'"
                + " order by purpose", shen)).extracting(r -> r.get("purpose") + "|" + r.get("granted") + "|" + r.get("source") + "|"
                + r.get("wording_version")).containsExactly("marketing|false|survey:surveys|survey-v2", "sensitive|true|survey:surveys|survey-v2");
    }

    static void runJob(String job, LocalDate day) {
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-" + job, null, JobDate.HEADER, day);
    }

    static Path feed(LocalDate day) {
        return home.resolve("outbox").resolve("reminders").resolve(day + ".csv");
    }

    /** The digest mail of the visit plan of a day (polls for it). */
    static String digestText(LocalDate day) throws Exception {
        MimeMessage found = await("the digest of the visit plan of " + day).atMost(Duration.ofSeconds(10))
                .until(() -> digestOf(day), Objects::nonNull);
        return (String) found.getContent(); // decoded, whatever the transfer encoding (Chinese text: base64)
    }

    /** The latest digest of the visit plan of the day; null while there is none. */
    private static MimeMessage digestOf(LocalDate day) throws Exception {
        MimeMessage found = null;
        for (MimeMessage m : mail.getReceivedMessages()) {
            if (m.getSubject().startsWith("档案 拜访计划 " + Messages.of(Language.ZH).date(day) + "：")) found = m;
        }
        return found;
    }
}
