package dangan.tiers;

import dangan.jobs.JobDate;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.Commands;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** D-18 tiers of new archives and the D-19 annual review with its approval, on the real service. */
@Tag("service")
class TiersTest {

    @TempDir
    static Path home;
    static RunningService dangan;
    static final LocalDate TODAY = LocalDate.now(ZoneId.of("Asia/Shanghai"));

    @BeforeAll
    static void start() throws Exception {
        // threshold override: B needs 6 visits here (default 8)
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.tiers.b.visits", "6"));
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    private static String visit(String name, String mobile, int daysAgo, int amount, String kdm, String org, String oop) {
        return String.join(",", name, mobile, TODAY.minusDays(daysAgo).toString(), String.valueOf(amount), kdm, org, oop) + "\n";
    }

    private String tier(String mobile) throws Exception {
        return (String) dangan.row("select tier::text as t from customer where mobile = ?", mobile).get("t");
    }

    private long id(String mobile) throws Exception {
        return ((Number) dangan.row("select id from customer where mobile = ?", mobile).get("id")).longValue();
    }

    @Test
    void newArchivesGetTheirTierAndTheAnnualReviewWaitsForTheManager() throws Exception {
        StringBuilder file = new StringBuilder("姓名,手机号码,消费日期,消费金额,关键决策人,重要单位,外省游客\n");
        file.append(visit("甲一", "13800000001", 5, 1300, "", "", ""));                          // A by spend
        for (int i = 0; i < 6; i++) file.append(visit("乙二", "13800000002", 10 + i, 100, "", "", "")); // B by 6 visits (override)
        file.append(visit("丙三", "13800000003", 20, 50, "是", "", ""));                          // A: key decision-maker
        file.append(visit("丁四", "13800000004", 20, 10, "", "是", ""));                          // B: important organisation
        for (int i = 0; i < 3; i++) file.append(visit("戊五", "13800000005", 30 + i, 300, "", "", "Y")); // E: out-of-province
        file.append(visit("己六", "13800000006", 40, 60, "", "", ""));                           // D: 2 visits
        file.append(visit("己六", "13800000006", 41, 60, "", "", ""));
        file.append(visit("庚七", "13800000007", 50, 50, "", "", ""));                           // E: 1 visit ¥50
        file.append(visit("辛八", "13800000008", 400, 5000, "", "", ""));                        // E: outside the 12 months
        dangan.drop("tiers-1.csv", file.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("tiers-1.csv").toString()).contains("/done/");

        assertThat(tier("13800000001")).isEqualTo("A");
        assertThat(tier("13800000002")).isEqualTo("B");
        assertThat(tier("13800000003")).isEqualTo("A");
        assertThat(tier("13800000004")).isEqualTo("B");
        assertThat(tier("13800000005")).isEqualTo("E");
        assertThat(tier("13800000006")).isEqualTo("D");
        assertThat(tier("13800000007")).isEqualTo("E");
        assertThat(tier("13800000008")).isEqualTo("E");
        assertThat(dangan.row("select key_decision_maker, important_organisation, out_of_province from customer where mobile = ?",
                "13800000003")).containsEntry("key_decision_maker", true).containsEntry("important_organisation", false);
        assertThat(dangan.row("select out_of_province from customer where mobile = ?", "13800000005"))
                .containsEntry("out_of_province", true);

        // an existing archive keeps its tier on a later ingest, however much it spends
        StringBuilder more = new StringBuilder("姓名,手机号码,消费日期,消费金额\n");
        for (int i = 0; i < 10; i++) more.append("己六,13800000006,").append(TODAY.minusDays(60 + i)).append(",90\n");
        dangan.drop("tiers-2.csv", more.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("tiers-2.csv").toString()).contains("/done/");
        assertThat(tier("13800000006")).isEqualTo("D");
        // former tiers (as last year's review left them): 庚 was C and 辛 was B, and both hardly came back
        dangan.rows("update customer set tier = case mobile when '13800000007' then 'C' else 'B' end"
                + " where mobile in ('13800000007', '13800000008') returning id");

        LocalDate asOf = TODAY.plusDays(1);
        dangan.service().camelContext().createProducerTemplate()
                .sendBodyAndHeader("direct:job-annual-tier-review", null, JobDate.HEADER, asOf);

        Map<String, Object> proposal = dangan.row("select * from tier_proposal");
        assertThat(proposal).containsEntry("as_of", java.sql.Date.valueOf(asOf)).containsEntry("status", "open")
                .containsEntry("window_from", java.sql.Date.valueOf(asOf.minusMonths(12)));
        long proposalId = ((Number) proposal.get("id")).longValue();
        List<Map<String, Object>> lines = dangan.rows(
                "select l.*, c.mobile from tier_proposal_line l join customer c on c.id = l.customer_id order by l.line_no");
        assertThat(lines).hasSize(3);
        Map<String, Map<String, Object>> byMobile = new java.util.HashMap<>();
        lines.forEach(l -> byMobile.put((String) l.get("mobile"), l));
        assertThat(byMobile.get("13800000006")).containsEntry("old_tier", "D").containsEntry("new_tier", "A")
                .containsEntry("visits", 12).containsEntry("spend", new BigDecimal("1020.00")).containsEntry("status", "open");
        assertThat(byMobile.get("13800000007")).containsEntry("old_tier", "C").containsEntry("new_tier", "E")
                .containsEntry("visits", 1).containsEntry("spend", new BigDecimal("50.00"));
        assertThat(byMobile.get("13800000008")).containsEntry("old_tier", "B").containsEntry("new_tier", "E")
                .containsEntry("visits", 0).containsEntry("spend", new BigDecimal("0.00"))
                .containsEntry("key_decision_maker", false);

        // nothing changes before approval; a second run of the day files nothing new
        assertThat(tier("13800000006")).isEqualTo("D");
        assertThat(dangan.count("select count(*) from change_log where field = 'tier'")).isZero();
        assertThat(dangan.count("select count(*) from notification_event where kind = 'tier_changed'")).isZero();
        Object again = dangan.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-annual-tier-review", null, JobDate.HEADER, asOf);
        assertThat(again.toString()).contains("这一天已提交过调整建议书").contains("没有新建");
        assertThat(dangan.count("select count(*) from tier_proposal")).isEqualTo(1);

        String show = cli("show", String.valueOf(proposalId));
        assertThat(show).contains("类别调整建议书 #" + proposalId).contains("D -> A").contains("¥1,020.00").contains("待决定");
        com.fasterxml.jackson.databind.JsonNode shown = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(cli("show", String.valueOf(proposalId), "--json"));
        assertThat(shown.get("proposal").get("id").asLong()).isEqualTo(proposalId);
        assertThat(shown.get("lines")).hasSize(3);
        assertThat(shown.get("lines").findValuesAsText("new_tier")).containsExactlyInAnyOrder("A", "E", "E");

        // who decides must be a manager of the staff, as the API asks
        ApiClient.asNewUser(dangan, "王经理", Role.MANAGER);
        ApiClient.asNewUser(dangan, "李经理", Role.MANAGER);
        ApiClient.asNewUser(dangan, "前台小张", Role.FRONT_DESK);
        Commands.Run frontDesk = Commands.run(dangan.service().settings(), "tiers", "approve", String.valueOf(proposalId), "--by", "前台小张");
        assertThat(frontDesk.status()).isEqualTo(1);
        assertThat(frontDesk.out()).isEmpty();
        assertThat(frontDesk.err()).contains("前台小张").contains("front-desk").contains("manager");
        Commands.Run stranger = Commands.run(dangan.service().settings(), "tiers", "approve", String.valueOf(proposalId), "--by", "王经里");
        assertThat(stranger.status()).isEqualTo(1);
        assertThat(stranger.err()).contains("--by 王经里：没有这个用户");
        assertThat(dangan.count("select count(*) from tier_proposal_line where status <> 'open'")).isZero();

        // line by line: approve 己's line, reject 庚's
        int jiLine = ((Number) byMobile.get("13800000006").get("line_no")).intValue();
        int gengLine = ((Number) byMobile.get("13800000007").get("line_no")).intValue();
        assertThat(cli("approve", String.valueOf(proposalId), String.valueOf(jiLine), "--by", "王经理"))
                .contains("建议书 #" + proposalId + "：王经理 批准并应用了 1 行");
        assertThat(tier("13800000006")).isEqualTo("A");
        assertThat(tier("13800000007")).isEqualTo("C");
        assertThat(tier("13800000008")).isEqualTo("B");
        Map<String, Object> change = dangan.row("select * from change_log where field = 'tier' and customer_id = ?", id("13800000006"));
        assertThat(change).containsEntry("old_value", "D").containsEntry("new_value", "A").containsEntry("changed_by", "王经理");
        assertThat((String) change.get("reason")).startsWith("类别调整建议书 #" + proposalId + " 第 " + jiLine + " 行（年度类别评审，截至 ").contains("已批准：窗口期内到访 12 次，消费 ¥1,020.00");
        Map<String, Object> event = dangan.row("select customer_id, payload::text as p from notification_event where kind = 'tier_changed'");
        assertThat(((Number) event.get("customer_id")).longValue()).isEqualTo(id("13800000006"));
        assertThat((String) event.get("p")).contains("\"new_tier\": \"A\"").contains("\"approved_by\": \"王经理\"");

        assertThat(cli("reject", String.valueOf(proposalId), String.valueOf(gengLine), "--by", "王经理")).contains("王经理 驳回了 1 行");
        assertThat(tier("13800000007")).isEqualTo("C");
        assertThat(dangan.row("select status, decided_by from tier_proposal_line where proposal_id = ? and line_no = ?",
                proposalId, gengLine)).containsEntry("status", "rejected").containsEntry("decided_by", "王经理");

        // all the rest
        assertThat(cli("approve", String.valueOf(proposalId), "--by", "李经理")).contains("李经理 批准并应用了 1 行");
        assertThat(tier("13800000008")).isEqualTo("E");
        assertThat(dangan.row("select changed_by from change_log where field = 'tier' and customer_id = ?", id("13800000008")))
                .containsEntry("changed_by", "李经理");
        assertThat(dangan.count("select count(*) from change_log where field = 'tier'")).isEqualTo(2);
        assertThat(dangan.count("select count(*) from notification_event where kind = 'tier_changed'")).isEqualTo(2);
        assertThat(dangan.row("select status from tier_proposal where id = ?", proposalId)).containsEntry("status", "decided");
        assertThat(cli("list")).contains("#" + proposalId).contains("已决定");
        com.fasterxml.jackson.databind.JsonNode listed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cli("list", "--json"));
        assertThat(listed.get(0).get("approved").asInt()).isEqualTo(2);
        assertThat(listed.get(0).get("rejected").asInt()).isEqualTo(1);
        assertThat(listed.get(0).get("status").asText()).isEqualTo("decided");
        // a decision needs a name: a usage error, nothing done
        Commands.Run nameless = Commands.run(dangan.service().settings(), "tiers", "approve", String.valueOf(proposalId));
        assertThat(nameless.status()).isEqualTo(2);
        assertThat(nameless.err()).contains("缺少必需的参数：--by");
        // and the decisions are audited under the manager's name and role
        assertThat(dangan.count("select count(*) from audit_log where actor = '王经理' and role = 'manager' and action in ('approve', 'reject')"))
                .isEqualTo(2);
    }

    @Test
    void theScheduleTakesItsCronFromConfiguration() throws Exception {
        assertThat(dangan.service().camelContext().getRouteController().getRouteStatus("schedule-annual-tier-review"))
                .isEqualTo(ServiceStatus.Started);
        assertThat(dangan.row("select cron_expression from qrtz_cron_triggers where trigger_name = 'annual-tier-review'"))
                .containsEntry("cron_expression", "0 0 2 1 1 ?");
    }

    private String cli(String... args) throws Exception {
        List<String> line = new java.util.ArrayList<>(List.of("tiers"));
        line.addAll(List.of(args));
        Commands.Run run = Commands.run(dangan.service().settings(), line.toArray(String[]::new));
        assertThat(run.status()).as(run.err()).isZero();
        return run.out();
    }
}
