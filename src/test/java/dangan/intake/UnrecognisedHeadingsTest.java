package dangan.intake;

import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.Commands;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Unrecognised headings leak no sensitive data (issue 10): Traditional characters and variants of the
 * ID and health headings are recognised; a valid resident ID in any other column is an ID number (sealed,
 * masked, matched), whatever its heading; a column whose heading looks sensitive is held back, never
 * filed in clear in customer.extra (which front desk sees), but waits sealed in the review queue for a manager to
 * file it (as health, allergies or an extra attribute) or for a manager or keeper to reject it.
 */
@Tag("service")
class UnrecognisedHeadingsTest {

    private static final String ID_A = "110101199003074514";
    private static final String ID_B = "320102198511110025";
    private static final String ID_C = "440304197805231232";

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();

    @BeforeAll
    static void fileTheCards() throws Exception {
        dangan.drop("cards.csv", """
                姓名,手机,身份證號碼,身體狀況,备注,病历,会员等级
                张三,13900139011,%s,高血压,常客,糖尿病复诊,金卡
                李四,13900139012,,,客户身份证 %s 已核对,,银卡
                王五,,,,%s,,
                """.formatted(ID_A, ID_B, ID_C), StandardCharsets.UTF_8);
        dangan.awaitHandled("cards.csv");
    }

    /** Input limits: a value longer than its field takes (dangan.normalise.MaxLength) rejects its line, named, not echoed. */
    @Test
    void aValueLongerThanItsFieldTakesRejectsTheLineNamingFieldAndLimit() throws Exception {
        String longAddress = "深圳".repeat(151); // 302 characters, the address takes 300
        String longExtra = "金".repeat(501);     // an extra attribute takes 500
        dangan.drop("long-values.csv", """
                姓名,手机,地址,会员等级
                长地址,13900139051,%s,金卡
                长备注,13900139052,深圳,%s
                刚好,13900139053,%s,银卡
                """.formatted(longAddress, longExtra, "深".repeat(300)), StandardCharsets.UTF_8);
        dangan.awaitHandled("long-values.csv");

        assertThat(dangan.count("select count(*) from customer where mobile in ('13900139051', '13900139052')")).isZero();
        assertThat(dangan.row("select length(address) as n from customer where mobile = '13900139053'")).containsEntry("n", 300);
        String report = Files.readString(dangan.rejectReport("long-values.csv"), StandardCharsets.UTF_8);
        assertThat(report).contains("“地址” 有 302 个字符，超过该字段的上限 300 个字符")
                .contains("“会员等级” 有 501 个字符，超过该字段的上限 500 个字符")
                .doesNotContain(longAddress).doesNotContain(longExtra);
    }

    @Test
    void traditionalAndVariantHeadingsAreTheSealedFields() throws Exception {
        Map<String, Object> zhang = dangan.row("select id, id_number_masked, id_number_hash is not null as matched, extra::text as extra"
                + " from customer where mobile = '13900139011'");

        assertThat(zhang.get("id_number_masked")).isEqualTo("110101********4514");
        assertThat(zhang.get("matched")).isEqualTo(true);
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", zhang.get("id"))).isPositive();
        assertThat((String) zhang.get("extra")).contains("金卡").contains("常客")
                .doesNotContain("身份證").doesNotContain("身體").doesNotContain("高血压");
    }

    /**
     * A column whose heading looks sensitive waits in the review queue, sealed under the customer's key (never in
     * clear in the archive, the queue, the warnings or the report); only a manager accepts it, saying where it goes,
     * and the value is then a sealed health fact the manager reads back through the API. Audited.
     */
    @Test
    void aColumnWhoseHeadingLooksSensitiveWaitsSealedForAManagerToFileItAsHealth() throws Exception {
        assertThat((String) dangan.row("select extra::text as extra from customer where mobile = '13900139011'").get("extra"))
                .doesNotContain("病历").doesNotContain("糖尿病");
        Map<String, Object> warned = dangan.row("select value_shown, reason, raw_enc is null as no_copy from intake_issue"
                + " where column_name = '病历' and line_no = 2");
        assertThat(warned.get("value_shown")).isEqualTo("***");
        assertThat((String) warned.get("reason")).contains("病历").contains("等待审核");
        assertThat(warned.get("no_copy")).as("the value waits in the queue: the warning keeps no copy of the line").isEqualTo(true);
        assertThat(Files.readString(dangan.rejectReport("cards.csv"))).contains("病历").doesNotContain("糖尿病");

        Map<String, Object> held = dangan.row("select p.id, u.archive_no, p.proposed_value, p.reason, get_byte(p.proposed_enc, 0) as version,"
                + " exists (select 1 from customer_key k where k.customer_id = p.customer_id"
                + " and k.id = encode(substring(p.proposed_enc from 2 for 16), 'hex')::uuid) as keyed"
                + " from pending_change p join customer u on u.id = p.customer_id where u.mobile = '13900139011' and p.field = 'held:病历'");
        assertThat(held.get("proposed_value")).isEqualTo("***");
        assertThat(held.get("version")).as("sealed under a customer's key (format 2)").isEqualTo(2);
        assertThat(held.get("keyed")).isEqualTo(true);
        assertThat((String) held.get("reason")).contains("病历").contains((String) held.get("archive_no")).contains("review accept");
        assertThat(dangan.count("select count(*) from pending_change p where row_to_json(p)::text like '%糖尿病%'")).isZero();
        long id = ((Number) held.get("id")).longValue();
        String archiveNo = (String) held.get("archive_no");

        ApiClient keeper = ApiClient.asNewUser(dangan, "keeper.held", Role.KEEPER);
        ApiClient manager = ApiClient.asNewUser(dangan, "manager.held", Role.MANAGER);
        assertThat(keeper.get("/api/review").text()).contains("held:病历").doesNotContain("糖尿病");
        ApiClient.Reply byKeeper = keeper.post("/api/review/" + id + "/accept", "{\"as\": \"health\"}");
        assertThat(byKeeper.status()).as("a keeper's view holds no health data (D-24)").isEqualTo(403);
        assertThat(byKeeper.text()).contains("#" + id).contains("经理");
        ApiClient.Reply nowhere = manager.post("/api/review/" + id + "/accept", "");
        assertThat(nowhere.status()).isEqualTo(400);
        assertThat(nowhere.text()).contains("病历").contains("--as health|allergies|extra");
        assertThat(manager.post("/api/review/" + id + "/accept", "{\"as\": \"medical\"}").text()).contains("“medical”不是可选的归档去向");
        assertThat(dangan.count("select count(*) from pending_change where id = ? and status = 'pending' and proposed_enc is not null", id))
                .as("refused: nothing changed").isOne();

        ApiClient.Reply accepted = manager.post("/api/review/" + id + "/accept", "{\"as\": \"health\"}");
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        assertThat(dangan.row("select status, decided_by, proposed_enc is null as discarded from pending_change where id = ?", id))
                .containsEntry("status", "accepted").containsEntry("decided_by", "manager.held").containsEntry("discarded", true);
        assertThat(manager.get("/api/archives/" + archiveNo + "?categories=health").text()).contains("糖尿病复诊");
        assertThat(dangan.count("select count(*) from health_fact f join customer u on u.id = f.customer_id"
                + " where u.archive_no = ? and f.kind = 'note' and get_byte(f.detail_enc, 0) = 2", archiveNo)).isEqualTo(2);
        assertThat(dangan.row("select new_value, changed_by from change_log where field = 'health:note' and changed_by = 'manager.held'"))
                .containsEntry("new_value", "***");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'manager.held' and action = 'change' and archive_no = ?"
                + " and detail like ?", archiveNo, "%#" + id + "%held:病历%")).isOne();
        assertThat(dangan.count("select count(*) from audit_log where detail like '%糖尿病%'")).isZero();
    }

    /** The command line: a manager files a held column as an extra attribute (opened), a keeper rejects one (discarded). */
    @Test
    void aHeldColumnIsFiledAsAnExtraAttributeOrRejectedByTheCommand() throws Exception {
        dangan.drop("wards.csv", """
                姓名,手机,病房偏好,药物
                赵六,13900139021,朝南安静,阿司匹林
                """, StandardCharsets.UTF_8);
        dangan.awaitHandled("wards.csv");
        ApiClient.asNewUser(dangan, "manager.cli", Role.MANAGER);
        ApiClient.asNewUser(dangan, "keeper.cli", Role.KEEPER);
        long ward = dangan.count("select p.id from pending_change p join customer u on u.id = p.customer_id"
                + " where u.mobile = '13900139021' and p.field = 'held:病房偏好'");
        long drug = dangan.count("select p.id from pending_change p join customer u on u.id = p.customer_id"
                + " where u.mobile = '13900139021' and p.field = 'held:药物'");
        assertThat(dangan.count("select count(*) from customer where mobile = '13900139021'"
                + " and (extra->>'病房偏好' is not null or extra->>'药物' is not null)")).isZero();
        dangan.drop("wards-again.csv", "姓名,手机,药物,会员等级\n赵六,13900139021,阿司匹林,银卡\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("wards-again.csv");
        assertThat(dangan.count("select count(*) from pending_change p join customer u on u.id = p.customer_id"
                + " where u.mobile = '13900139021' and p.field = 'held:药物' and p.status = 'pending'"))
                .as("the same value already waiting is not queued twice").isOne();

        Commands.Run byKeeper = Commands.run(dangan.service().settings(), "review", "accept", String.valueOf(ward), "--as", "extra", "--by", "keeper.cli");
        assertThat(byKeeper.status()).isEqualTo(1);
        assertThat(byKeeper.err()).contains("#" + ward).contains("只有经理可以接受");
        Commands.Run accepted = Commands.run(dangan.service().settings(), "review", "accept", String.valueOf(ward), "--as", "extra:房间偏好",
                "--by", "manager.cli");
        assertThat(accepted.status()).as(accepted.err()).isZero();
        assertThat(dangan.row("select extra->>'房间偏好' as room from customer where mobile = '13900139021'")).containsEntry("room", "朝南安静");
        assertThat(dangan.row("select new_value from change_log where field = 'extra.房间偏好'")).containsEntry("new_value", "朝南安静");

        Commands.Run rejected = Commands.run(dangan.service().settings(), "review", "reject", String.valueOf(drug), "--by", "keeper.cli");
        assertThat(rejected.status()).as(rejected.err()).isZero();
        assertThat(dangan.row("select status, decided_by, proposed_enc is null and proposed_hash is null as discarded from pending_change where id = ?", drug))
                .containsEntry("status", "rejected").containsEntry("decided_by", "keeper.cli").containsEntry("discarded", true);
        assertThat(dangan.count("select count(*) from health_fact f join customer u on u.id = f.customer_id where u.mobile = '13900139021'")).isZero();
        assertThat(dangan.count("select count(*) from audit_log where actor = 'keeper.cli' and action = 'change' and detail like ?",
                "%#" + drug + "%held:药物%")).isOne();
    }

    @Test
    void aResidentIdUnderAnyHeadingIsAnIdNumber() throws Exception {
        Map<String, Object> li = dangan.row("select id_number_masked, extra->>'备注' as note from customer where mobile = '13900139012'");
        assertThat(li.get("id_number_masked")).isEqualTo("320102********0025");
        assertThat((String) li.get("note")).isEqualTo("客户身份证 320102********0025 已核对");

        Map<String, Object> wang = dangan.row("select id_number_masked, extra::text as extra from customer where name = '王五'");
        assertThat(wang.get("id_number_masked")).as("identified by the ID number typed into 备注").isEqualTo("440304********1232");
        assertThat((String) wang.get("extra")).doesNotContain(ID_C);

        assertThat(dangan.count("select count(*) from customer where extra::text like any (array[?, ?, ?])",
                "%" + ID_A + "%", "%" + ID_B + "%", "%" + ID_C + "%")).isZero();
    }
}
