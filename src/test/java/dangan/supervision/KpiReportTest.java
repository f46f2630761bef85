package dangan.supervision;

import dangan.audit.AuditText;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.jobs.JobDate;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** D-33: the month's KPIs over the API and as the monthly file, from real intake, audit and request rows. */
@Tag("service")
class KpiReportTest {

    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final YearMonth MONTH = YearMonth.now(ZONE);

    @TempDir
    static Path home;
    static RunningService dangan;
    static ApiClient auditor;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("dangan.db.url", TestDatabase.freshDatabase());
        s.put("dangan.db.user", "postgres");
        s.put("dangan.kpi.bulk-read-threshold", "2");
        // opening hours that exclude the time the test runs: its reads are all after hours
        int hour = ZonedDateTime.now(ZONE).getHour();
        s.put("dangan.kpi.opening-hours", hour < 12 ? "20:00-21:00" : "03:00-04:00");
        s.put("dangan.jobs.kpi-report.cron", "0 0 0 1 1 ? 2099");
        dangan = RunningService.start(home, s);
        auditor = ApiClient.asNewUser(dangan, "audit.chen", Role.AUDITOR);

        dangan.drop("guests.csv", """
                姓名,手机,邮箱,出生日期,性别,地址
                王芳,13800000001,,1985-11-28,女,深圳福田
                李娜,13800000002,,,,深圳南山
                张伟,,zw@example.cn,,,
                ,13800000004,,,,
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("guests.csv").toString()).contains("/done/");
        dangan.rows("update customer set contact_confirmed_at = now() - interval '200 days' where mobile = '13800000002' returning id");

        AuditTrail trail = dangan.bean("auditTrail", AuditTrail.class);
        for (String archive : List.of("202611001", "202611002", "202611003")) {
            trail.record(new AuditEntry("li.na", "front-desk", "read", archive, List.of("basic"), null, null, AuditEntry.OK, AuditText.asIs("read")));
        }
        trail.record(new AuditEntry("=HYPERLINK(\"x\")", "front-desk", "read", "202611001", List.of("basic"), null, null, AuditEntry.OK, AuditText.asIs("read")));
        trail.record(AuditEntry.system("staleness", "export", null, AuditText.asIs("feed")));
        ApiClient desk = ApiClient.asNewUser(dangan, "desk.zhou", Role.FRONT_DESK);
        assertThat(desk.get("/api/kpi").status()).isEqualTo(403);

        dangan.rows("""
                insert into subject_request (customer_id, archive_no, kind, received_at, received_via, received_by, due_at)
                select id, archive_no, 'access', now() - interval '20 days', 'desk', 'desk.zhou', now() - interval '5 days'
                from customer where mobile = '13800000001' returning id""");
        dangan.rows("""
                insert into subject_request (customer_id, archive_no, kind, received_via, received_by, due_at)
                select id, archive_no, 'correction', 'desk', 'desk.zhou', now() + interval '10 days'
                from customer where mobile = '13800000002' returning id""");
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void theMonthsFiguresComeFromTheArchiveTheLedgerTheAuditLogAndTheRequests() throws Exception {
        ApiClient.Reply reply = auditor.get("/api/kpi?month=" + MONTH);

        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        JsonNode r = reply.json();
        assertThat(r.get("month").asText()).isEqualTo(MONTH.toString());
        JsonNode completeness = r.get("completeness");
        assertThat(completeness.get("archives").asInt()).isEqualTo(3);
        assertThat(completeness.get("complete").asInt()).isEqualTo(1);
        assertThat(completeness.get("share_complete").decimalValue()).isEqualByComparingTo("0.3333");
        assertThat(completeness.get("missing_per_field").get("birth_date").asInt()).isEqualTo(2);
        assertThat(completeness.get("missing_per_field").get("address").asInt()).isEqualTo(1);
        assertThat(completeness.get("missing_per_field").get("mobile").asInt()).isEqualTo(1);
        assertThat(completeness.get("missing_per_field").get("name").asInt()).isZero();

        JsonNode accuracy = r.get("accuracy");
        assertThat(accuracy.get("lines").asInt()).isEqualTo(4);
        assertThat(accuracy.get("rejected").asInt()).isEqualTo(1);
        assertThat(accuracy.get("rejected_share_per_channel").get("registrations").asDouble()).isEqualTo(0.25); // 1 of its 4 lines
        assertThat(accuracy.get("share_rejected_or_review").decimalValue()).isEqualByComparingTo("0.25");

        JsonNode timeliness = r.get("timeliness");
        assertThat(timeliness.get("confirmed").asInt()).isEqualTo(2);
        assertThat(timeliness.get("share_confirmed").decimalValue()).isEqualByComparingTo("0.6667");
        assertThat(timeliness.get("window_days").asInt()).isEqualTo(90);
        assertThat(timeliness.get("files_filed").asInt()).isEqualTo(1);
        assertThat(timeliness.get("median_hours_to_filing").decimalValue().doubleValue()).isBetween(0.0, 0.1);

        JsonNode accesses = r.get("accesses");
        JsonNode li = person(accesses, "li.na");
        assertThat(li.get("reads").asInt()).isEqualTo(3);
        assertThat(li.get("bulk_days").asInt()).isEqualTo(1);
        assertThat(li.get("bulk_archives").asInt()).isEqualTo(3);
        assertThat(li.get("after_hours").asInt()).isEqualTo(3);
        assertThat(li.get("out_of_policy").asInt()).isEqualTo(4);
        assertThat(person(accesses, "desk.zhou").get("denied").asInt()).isEqualTo(1);
        assertThat(accesses.get("per_person").findValuesAsText("actor")).doesNotContain("system:staleness");

        assertThat(r.get("requests").get("open").asInt()).isEqualTo(2);
        assertThat(r.get("requests").get("overdue").asInt()).isEqualTo(1);
        assertThat(r.get("sensitive_without_consent").get("archives").asInt()).isZero(); // V12's view: no sensitive data here
        assertThat(reply.text()).doesNotContain("王芳").doesNotContain("13800000001");
    }

    @Test
    void theMonthlyJobWritesJsonAndAFormulaSafeCsvAndTheConsentViewIsCountedOnceItExists() throws Exception {
        // 王芳 holds a health fact (its sealed bytes do not matter here) without a consent to sensitive data (V12's view)
        sql("insert into health_fact (customer_id, kind, detail_enc, fact_key) select id, 'allergy', '\\x02'::bytea,"
                + " '\\x01'::bytea from customer where mobile = '13800000001'");
        try {
            dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-kpi-report", null,
                    JobDate.HEADER, MONTH.plusMonths(1).atDay(1));
        } finally {
            sql("delete from health_fact where fact_key = '\\x01'::bytea");
        }
        Path folder = home.resolve("outbox").resolve("kpi");
        JsonNode json = new ObjectMapper().readTree(folder.resolve(MONTH + ".json").toFile());
        assertThat(json.get("month").asText()).isEqualTo(MONTH.toString());
        assertThat(json.get("sensitive_without_consent").get("archives").asInt()).isEqualTo(1);
        String csv = Files.readString(folder.resolve(MONTH + ".csv"), StandardCharsets.UTF_8);
        // for people: Chinese headings, the month and each measure, field and request kind by name; values stay numbers
        String month = MONTH.getYear() + "年" + MONTH.getMonthValue() + "月";
        assertThat(csv).startsWith("\uFEFF月份,指标,对象,数值");
        assertThat(csv).contains(month + ",档案完整性：完整档案占比,,0.3333");
        assertThat(csv).contains(month + ",档案完整性：缺少该项的档案,出生日期,2");
        assertThat(csv).contains(month + ",档案完整性：必填项,,姓名、性别、出生日期、手机、地址");
        assertThat(csv).contains(month + ",查阅：违反制度次数,li.na,4");
        assertThat(csv).contains(month + ",客户请求：已逾期,查阅副本,1");
        assertThat(csv).contains(month + ",无敏感信息同意却存有敏感数据的档案,,1");
        // every measure the report has is named for people: no code is left in the measure column
        assertThat(csv.lines().skip(1).map(l -> l.split(",")[1])).noneMatch(m -> m.matches("[a-z_.]+"));
        assertThat(csv).contains(",\"'=HYPERLINK(\"\"x\"\")\",").doesNotContain(",=HYPERLINK");
        assertThat(dangan.row("select cron_expression from qrtz_cron_triggers where trigger_name = 'kpi-report'"))
                .containsEntry("cron_expression", "0 0 0 1 1 ? 2099");
    }

    @Test
    void onlyAuditorsAndManagersAskAndTheMonthMustBeReal() throws Exception {
        ApiClient manager = ApiClient.asNewUser(dangan, "wang.jl", Role.MANAGER);
        assertThat(manager.get("/api/kpi").status()).isEqualTo(200);
        assertThat(manager.get("/api/kpi").json().get("month").asText()).isEqualTo(MONTH.toString());
        assertThat(auditor.get("/api/kpi?month=2026-13").status()).isEqualTo(400);
        assertThat(auditor.get("/api/kpi?month=" + MONTH.plusMonths(2)).status()).isEqualTo(400);
        ApiClient keeper = ApiClient.asNewUser(dangan, "keeper.zhao", Role.KEEPER);
        assertThat(keeper.get("/api/kpi").status()).isEqualTo(403);
        // a month long past: nothing happened, every share undefined rather than a division by zero
        JsonNode old = auditor.get("/api/kpi?month=2020-01").json();
        assertThat(old.get("completeness").get("archives").asInt()).isZero();
        assertThat(old.get("completeness").get("share_complete").isNull()).isTrue();
        assertThat(old.get("accesses").get("per_person")).isEmpty();
        assertThat(LocalDate.now()).isNotNull();
    }

    private static void sql(String statement) throws Exception {
        try (var c = dangan.service().database().dataSource().getConnection(); var st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static JsonNode person(JsonNode accesses, String actor) {
        for (JsonNode p : accesses.get("per_person")) {
            if (p.get("actor").asText().equals(actor)) return p;
        }
        throw new AssertionError("no " + actor + " in " + accesses);
    }
}
