package dangan.access;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.jobs.JobDate;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decisions through the API by the roles the policies name: the annual tier proposal (D-19, a
 * manager) and the review queue (D-16, a manager or the keeper). The decider recorded is the caller.
 */
@Tag("service")
class ApprovalsApiTest {

    static final LocalDate TODAY = LocalDate.now(ZoneId.of("Asia/Shanghai"));

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static ApiClient manager, keeper, desk;

    @BeforeAll
    static void start() throws Exception {
        manager = ApiClient.asNewUser(dangan, "mgr.wang", Role.MANAGER);
        keeper = ApiClient.asNewUser(dangan, "keeper.li", Role.KEEPER);
        desk = ApiClient.asNewUser(dangan, "desk.zhao", Role.FRONT_DESK);
    }

    static String tier(String mobile) throws Exception {
        return (String) dangan.row("select tier::text as t from customer where mobile = ?", mobile).get("t");
    }

    static Map<String, Object> lastAudit(String actor) throws Exception {
        return dangan.row("select * from audit_log where actor = ? order by id desc limit 1", actor);
    }

    @Test
    void aManagerDecidesTheTierProposalLineByLine() throws Exception {
        StringBuilder file = new StringBuilder("姓名,手机号码,消费日期,消费金额\n");
        for (int i = 0; i < 3; i++) file.append("甲一,13811110001,").append(TODAY.minusDays(10 + i)).append(",100\n");
        for (int i = 0; i < 3; i++) file.append("乙二,13811110002,").append(TODAY.minusDays(20 + i)).append(",100\n");
        dangan.drop("tiers.csv", file.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("tiers.csv").toString()).contains("/done/");
        dangan.rows("update customer set tier = 'B' where mobile in ('13811110001', '13811110002') returning id");
        dangan.service().camelContext().createProducerTemplate()
                .sendBodyAndHeader("direct:job-annual-tier-review", null, JobDate.HEADER, TODAY.plusDays(1));
        long id = ((Number) dangan.row("select id from tier_proposal").get("id")).longValue();

        assertThat(keeper.get("/api/tier-proposals").status()).isEqualTo(403);
        assertThat(desk.get("/api/tier-proposals/" + id).status()).isEqualTo(403);
        ApiClient.Reply list = manager.get("/api/tier-proposals");
        assertThat(list.status()).as(list.text()).isEqualTo(200);
        assertThat(list.json().get("proposals").get(0).get("open").asInt()).isEqualTo(2);
        ApiClient.Reply shown = manager.get("/api/tier-proposals/" + id);
        assertThat(shown.status()).isEqualTo(200);
        JsonNode lines = shown.json().get("lines");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("old_tier").asText()).isEqualTo("B");
        assertThat(lines.get(0).get("new_tier").asText()).isEqualTo("D");
        int first = lines.get(0).get("line_no").asInt();
        String firstArchive = lines.get(0).get("archive_no").asText();
        int second = lines.get(1).get("line_no").asInt();
        assertThat(manager.get("/api/tier-proposals/99999").status()).isEqualTo(404);

        assertThat(keeper.post("/api/tier-proposals/" + id + "/approve", "{}").status()).isEqualTo(403);
        assertThat(manager.post("/api/tier-proposals/" + id + "/approve", "{\"lines\": [\"one\"]}").status()).isEqualTo(400);
        ApiClient.Reply approved = manager.post("/api/tier-proposals/" + id + "/approve",
                "{\"lines\": [" + first + "], \"by\": \"somebody else\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.json().get("approved").asInt()).isEqualTo(1);
        assertThat(dangan.row("select tier::text as t from customer where archive_no = ?", firstArchive)).containsEntry("t", "D");
        assertThat(dangan.count("select count(*) from change_log l join customer c on c.id = l.customer_id"
                + " where c.archive_no = ? and l.field = 'tier' and l.changed_by = 'mgr.wang'", firstArchive)).isEqualTo(1);
        assertThat(lastAudit("mgr.wang")).containsEntry("action", "approve").containsEntry("outcome", "ok");

        ApiClient.Reply rejected = manager.post("/api/tier-proposals/" + id + "/reject", "{\"reason\": \"seasonal customer\"}");
        assertThat(rejected.status()).isEqualTo(200);
        assertThat(rejected.json().get("rejected").asInt()).isEqualTo(1);
        assertThat(dangan.row("select status, decided_by from tier_proposal_line where proposal_id = ? and line_no = ?", id, second))
                .containsEntry("status", "rejected").containsEntry("decided_by", "mgr.wang");
        assertThat((String) lastAudit("mgr.wang").get("detail")).isEqualTo("类别调整建议书 #" + id + "：驳回 1 行（全部待决定的行）；理由：seasonal customer");
        assertThat(dangan.row("select status from tier_proposal where id = ?", id)).containsEntry("status", "decided");
    }

    @Test
    void theKeeperOrAManagerWorksTheReviewQueue() throws Exception {
        dangan.drop("monday.csv", "姓名,手机,出生日期\n杨过,13566660001,1990-01-01\n小龙女,13566660002,1991-01-01\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("monday.csv");
        dangan.drop("tuesday.csv", "姓名,手机,出生日期\n杨过,13566660001,1990-02-02\n小龙女,13566660002,1991-02-02\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("tuesday.csv");

        assertThat(desk.get("/api/review").status()).isEqualTo(403);
        ApiClient.Reply queue = keeper.get("/api/review");
        assertThat(queue.status()).as(queue.text()).isEqualTo(200);
        JsonNode changes = queue.json().get("changes");
        assertThat(changes).hasSize(2);
        assertThat(changes.get(0).get("field").asText()).isEqualTo("birth_date");
        long yang = changes.get(0).get("id").asLong();
        long dragon = changes.get(1).get("id").asLong();
        assertThat(lastAudit("keeper.li")).containsEntry("action", "read");

        assertThat(desk.post("/api/review/" + yang + "/accept", "").status()).isEqualTo(403);
        ApiClient.Reply accepted = keeper.post("/api/review/" + yang + "/accept", "");
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        assertThat(dangan.row("select birth_date::text as b from customer where mobile = '13566660001'")).containsEntry("b", "1990-02-02");
        assertThat(dangan.row("select status, decided_by from pending_change where id = ?", yang))
                .containsEntry("status", "accepted").containsEntry("decided_by", "keeper.li");
        assertThat(lastAudit("keeper.li")).containsEntry("action", "change").containsEntry("archive_no", accepted.json().get("archive_no").asText());
        assertThat(keeper.post("/api/review/" + yang + "/accept", "").status()).isEqualTo(404);

        ApiClient.Reply rejected = manager.post("/api/review/" + dragon + "/reject", "");
        assertThat(rejected.status()).isEqualTo(200);
        assertThat(dangan.row("select birth_date::text as b from customer where mobile = '13566660002'")).containsEntry("b", "1991-01-01");
        assertThat(lastAudit("mgr.wang")).containsEntry("action", "reject");

        String archiveNo = (String) dangan.row("select archive_no from customer where mobile = '13566660002'").get("archive_no");
        dangan.rows("update customer set review_status = 'pending' where archive_no = ? returning id", archiveNo);
        assertThat(keeper.get("/api/review").json().get("archives").get(0).get("archive_no").asText()).isEqualTo(archiveNo);
        ApiClient.Reply filed = manager.post("/api/review/archives/" + archiveNo + "/file", "");
        assertThat(filed.status()).as(filed.text()).isEqualTo(200);
        assertThat(dangan.row("select review_status from customer where archive_no = ?", archiveNo)).containsEntry("review_status", "filed");
        assertThat(lastAudit("mgr.wang")).containsEntry("action", "change").containsEntry("archive_no", archiveNo);
        assertThat(manager.post("/api/review/archives/" + archiveNo + "/file", "").status()).isEqualTo(404);
        assertThat(manager.post("/api/review/archives/..%2Fx/file", "").status()).isEqualTo(400);
    }
}
