package dangan.supervision;

import dangan.audit.AuditText;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.access.Role;
import dangan.config.Settings;
import dangan.jobs.JobDate;
import dangan.notify.Outbox;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import dangan.support.Commands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit log over the API (list, paging, verify — also of a broken chain) and the audit entries
 * of the places outside the API that show archives: review and tiers commands, reminder feeds,
 * the notification relay. One entry per command, file or run, never one per row.
 */
@Tag("service")
class AuditApiTest {

    // every test on a service of its own, with the same three archives filed
    @TempDir
    Path home;
    RunningService dangan;
    ApiClient auditor;
    ApiClient manager;
    Settings settings;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("dangan.db.url", TestDatabase.freshDatabase());
        s.put("dangan.db.user", "postgres");
        s.put("dangan.trust.low-channels", "");
        s.put("dangan.jobs.notification-relay.cron", "0 0 0 1 1 ? 2099");
        s.put("dangan.notify.subscribers", "files");
        s.put("dangan.notify.subscriber.files.channel", "file");
        dangan = RunningService.start(home, s);
        settings = dangan.service().settings();
        auditor = ApiClient.asNewUser(dangan, "audit.chen", Role.AUDITOR);
        manager = ApiClient.asNewUser(dangan, "wang.jl", Role.MANAGER);
        dangan.drop("guests.csv", """
                姓名,手机,出生日期,性别,地址
                王芳,13800000001,1985-11-28,女,深圳福田
                李娜,13800000002,1990-01-15,女,深圳南山
                张伟,13800000003,,,
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("guests.csv").toString()).contains("/done/");
    }

    @AfterEach
    void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void everyFilingIsAuditedAsAChange() throws Exception {
        assertThat(dangan.rows("select actor, action, outcome, detail from audit_log where actor like 'system:%' and action = 'change'"))
                .singleElement().satisfies(r -> {
                    assertThat(r.get("actor")).isEqualTo("system:registrations");
                    assertThat(r.get("outcome")).isEqualTo("ok");
                    assertThat((String) r.get("detail")).matches("导入 #\\d+：新建 3，更新 0，待审核 0，拒收 0");
                });
    }

    @Test
    void theLogIsListedFilteredAndPagedById() throws Exception {
        AuditTrail trail = dangan.bean("auditTrail", AuditTrail.class);
        for (int i = 1; i <= 5; i++) {
            trail.record(new AuditEntry("li.na", "front-desk", "read", "20261100000" + i, List.of("basic"), "visit", null,
                    AuditEntry.OK, AuditText.asIs("read " + i)));
        }
        trail.record(new AuditEntry("li.na", "front-desk", "denied", "202611000009", List.of("health"), null, null,
                AuditEntry.DENIED, AuditText.asIs("GET /api/archives/202611000009: no")));

        ApiClient.Reply first = auditor.get("/api/audit?actor=li.na&limit=2");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("entries")).hasSize(2);
        assertThat(first.json().get("entries").get(0).get("detail").asText()).isEqualTo("read 1");
        assertThat(first.json().get("entries").get(0).get("categories").get(0).asText()).isEqualTo("basic");
        long next = first.json().get("next_after_id").asLong();
        ApiClient.Reply rest = auditor.get("/api/audit?actor=li.na&limit=100&after_id=" + next);
        assertThat(rest.json().get("entries")).hasSize(4);
        assertThat(rest.json().get("next_after_id").isNull()).isTrue();

        ApiClient.Reply denied = manager.get("/api/audit?outcome=denied&actor=li.na");
        assertThat(denied.status()).isEqualTo(200);
        assertThat(denied.json().get("entries")).hasSize(1);
        assertThat(denied.json().get("entries").get(0).get("archive_no").asText()).isEqualTo("202611000009");

        ApiClient.Reply one = auditor.get("/api/audit?archive_no=202611000003&from=" + LocalDate.now().minusDays(1) + "&to=" + LocalDate.now().plusDays(1));
        assertThat(one.json().get("entries")).hasSize(1);
        assertThat(auditor.get("/api/audit?from=" + LocalDate.now().plusDays(2)).json().get("entries")).isEmpty();

        // reading the log is itself recorded: who looked, at which archive's entries
        assertThat(dangan.count("select count(*) from audit_log where action = 'read-audit' and actor = 'audit.chen'")).isEqualTo(4);
        assertThat(dangan.count("select count(*) from audit_log where action = 'read-audit' and archive_no = '202611000003'")).isEqualTo(1);
    }

    @Test
    void badParametersAndOtherRolesAreRefused() throws Exception {
        assertThat(auditor.get("/api/audit?outcome=maybe").status()).isEqualTo(400);
        assertThat(auditor.get("/api/audit?outcome=maybe").json().get("error").asText()).contains("参数 outcome 必须是").contains("之一，而不是 'maybe'");
        assertThat(auditor.get("/api/audit?limit=0").status()).isEqualTo(400);
        assertThat(auditor.get("/api/audit?from=yesterday").status()).isEqualTo(400);
        assertThat(auditor.get("/api/audit?after_id=1%20or%201=1").status()).isEqualTo(400);

        ApiClient desk = ApiClient.asNewUser(dangan, "desk.li", Role.FRONT_DESK);
        assertThat(desk.get("/api/audit").status()).isEqualTo(403);
        assertThat(manager.get("/api/audit/verify").status()).isEqualTo(403);
        assertThat(ApiClient.withToken(dangan, null).get("/api/audit").status()).isEqualTo(401);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.li' and outcome = 'denied' and detail like 'GET /api/audit%'"))
                .isEqualTo(1);
        assertThat(ApiClient.withToken(dangan, null).get("/api/openapi.json").text()).contains("/audit/verify").contains("/kpi")
                .contains("/archives/{archiveNo}/history").contains("/archives/{archiveNo}/export").contains("/subject-requests");
    }

    @Test
    void reviewAndTiersCommandsAreAuditedOncePerCommand() throws Exception {
        // a held change (another name for the same mobile) and an archive from a low-trust source
        dangan.drop("rename.csv", "姓名,手机\n王小芳,13800000001\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("rename.csv").toString()).contains("/done/");
        long held = ((Number) dangan.row("select id from pending_change where field = 'name'").get("id")).longValue();
        String archive = (String) dangan.row("select archive_no from customer where mobile = '13800000001'").get("archive_no");
        String user = "cli:" + System.getProperty("user.name", "unknown");

        review("list");
        review("accept", String.valueOf(held), "--by", "wang.jl");

        List<Map<String, Object>> entries = dangan.rows("select action, archive_no, detail from audit_log where actor = ? order by id", user);
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0)).containsEntry("action", "read")
                .containsEntry("detail", "dangan review list：待审核的变更 1 项，涉及档案 1 份；待归档的档案 0 份");
        // a decision is audited under the member of staff named with --by, with their role
        List<Map<String, Object>> decided = dangan.rows("select action, archive_no, detail from audit_log where actor = 'wang.jl'"
                + " and role = 'manager' and action = 'change' order by id");
        assertThat(decided).hasSize(1);
        assertThat(decided.get(0)).containsEntry("archive_no", archive).containsEntry("detail", "命令行审核接受：#" + held + " 姓名");

        // tiers: a proposal with one line per archive, approved as a whole: one entry, not one per line
        dangan.rows("update customer set tier = 'A' returning id");
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-annual-tier-review", null,
                JobDate.HEADER, LocalDate.of(2028, 1, 1));
        long proposal = ((Number) dangan.row("select max(id) as id from tier_proposal").get("id")).longValue();
        assertThat(Commands.run(settings, "tiers", "approve", String.valueOf(proposal), "--by", "wang.jl").status()).isZero();
        List<Map<String, Object>> approvals = dangan.rows("select action, detail from audit_log where actor = 'wang.jl' and action = 'approve'");
        assertThat(approvals).hasSize(1);
        assertThat((String) approvals.get(0).get("detail")).isEqualTo("类别调整建议书 #" + proposal + "：批准并应用 3 行（全部待决定的行）");
    }

    @Test
    void reminderFeedsAndTheRelayAreAuditedWithCountsNotNames() throws Exception {
        dangan.rows("update customer set contact_confirmed_at = '2025-01-01 10:00+08', created_at = '2025-01-01 10:00+08' returning id");
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-staleness", null,
                JobDate.HEADER, LocalDate.of(2026, 1, 1));
        Map<String, Object> feed = dangan.row("select actor, action, archive_no, detail from audit_log where actor = 'system:staleness'");
        assertThat(feed).containsEntry("action", "export").containsEntry("archive_no", null)
                .containsEntry("detail", "提醒文件 outbox/reminders/2026-01-01-staleness（.csv、.json）：3 条提醒，涉及档案 3 份");
        assertThat((String) feed.get("detail")).doesNotContain("王").doesNotContain("138");

        long customer = ((Number) dangan.row("select id from customer where mobile = '13800000002'").get("id")).longValue();
        long other = ((Number) dangan.row("select id from customer where mobile = '13800000003'").get("id")).longValue();
        try (Handle h = Db.jdbi(dangan.service().database().dataSource()).open()) {
            Outbox.record(h, "complaint", customer, "{\"score\": 1}");
            Outbox.record(h, "complaint", customer, "{\"score\": 2}");
            Outbox.record(h, "complaint", other, "{\"score\": 1}");
        }
        dangan.service().camelContext().createProducerTemplate().sendBody("direct:job-notification-relay", null);
        Map<String, Object> relay = dangan.row("select action, detail from audit_log where actor = 'system:notification-relay'");
        // three complaints about two archives
        assertThat(relay).containsEntry("action", "export")
                .containsEntry("detail", "通知投递 3 次，涉及档案 2 份");
        // a run that delivers nothing leaves no entry
        dangan.service().camelContext().createProducerTemplate().sendBody("direct:job-notification-relay", null);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'system:notification-relay'")).isEqualTo(1);
    }

    @Test
    void verifyAnswersIntactThenNamesTheBrokenEntry() throws Exception {
        ApiClient.Reply intact = auditor.get("/api/audit/verify");
        assertThat(intact.status()).isEqualTo(200);
        assertThat(intact.json().get("intact").asBoolean()).isTrue();
        long entries = intact.json().get("entries").asLong();
        assertThat(entries).isEqualTo(dangan.count("select count(*) from audit_log"));

        try (Connection c = dangan.service().database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("alter table audit_log disable trigger user; update audit_log set detail = 'nothing to see' where id = 3;"
                    + " alter table audit_log enable trigger user");
        }
        ApiClient.Reply broken = auditor.get("/api/audit/verify");
        assertThat(broken.status()).isEqualTo(200);
        assertThat(broken.json().get("intact").asBoolean()).isFalse();
        assertThat(broken.json().get("broken_at").asLong()).isEqualTo(3);
        assertThat(broken.json().get("broken").asText()).contains("第 3 条记录被改动过");
        assertThat(auditor.get("/api/audit/verify", "en").json().get("broken").asText()).contains("entry 3 was altered");
        assertThat(broken.json().get("entries").asLong()).isEqualTo(2);
    }

    private String review(String... args) throws Exception {
        List<String> line = new java.util.ArrayList<>(List.of("review"));
        line.addAll(List.of(args));
        Commands.Run run = Commands.run(settings, line.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isEqualTo(0);
        return run.out();
    }
}
