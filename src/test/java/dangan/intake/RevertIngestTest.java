package dangan.intake;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.rules.RuleException;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Undo a file, end to end (real routes, real PostgreSQL, real files, the real API): file 1, then file 2
 * changing some of file 1's customers and adding visits; reverting 2 brings every field and fact back to
 * the state after file 1; a third source touches one of file 1's archives; reverting 1 removes its
 * archives except that one, which the revert names; file 2 dropped again is filed again.
 */
@Tag("service")
class RevertIngestTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static ApiClient manager;
    static ApiClient keeper;
    static ApiClient admin;

    @BeforeAll
    static void start() throws Exception {
        manager = ApiClient.asNewUser(dangan, "wang.jl", Role.MANAGER);
        keeper = ApiClient.asNewUser(dangan, "li.keeper", Role.KEEPER);
        admin = ApiClient.asNewUser(dangan, "zhou.admin", Role.ADMIN);
    }

    static final String FIRST = """
            姓名,手机,地址,偏好,消费日期,消费金额,会员等级
            张三,13600001111,杭州市西湖区文三路1号,靠窗座位,2026-10-01,300,金卡
            李四,13600002222,上海市徐汇区,,2026-10-02,200,银卡
            王五,13600003333,南京市鼓楼区,,,,
            """;

    static final String SECOND = """
            姓名,手机,地址,偏好,消费日期,消费金额,会员等级,邮箱
            张三,13600001111,苏州市姑苏区人民路8号,安静房间,2026-11-01,880,钻石卡,zhangsan@example.cn
            李四,13600002222,上海市徐汇区,,2026-11-03,260,银卡,
            赵六,13600004444,北京市,,2026-11-04,100,,
            """;

    static final String THIRD = """
            姓名,手机,消费日期,消费金额
            王五,13600003333,2026-11-20,520
            """;

    @Test
    void revertingTheSecondFileRestoresTheFirstsStateAndRevertingTheFirstKeepsWhatAThirdSourceTouched() throws Exception {
        long first = drop("members-1.csv", FIRST);
        String afterFirst = snapshot();
        assertThat(dangan.count("select count(*) from customer")).isEqualTo(3);

        long second = drop("members-2.csv", SECOND);
        assertThat(snapshot()).isNotEqualTo(afterFirst);
        assertThat(dangan.row("select rows_new, rows_updated from ingest where id = ?", second))
                .containsEntry("rows_new", 1).containsEntry("rows_updated", 2);

        // the ledger through the API (the administrator's): file 2 is the latest, filed
        ApiClient.Reply list = admin.get("/api/ingests");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("ingests").get(0).path("id").asLong()).isEqualTo(second);
        // only a manager reverts
        assertThat(keeper.post("/api/ingests/" + second + "/revert", "{}").status()).isEqualTo(403);
        assertThat(dangan.row("select status from ingest where id = ?", second)).containsEntry("status", "done");

        // revert 2 by name, as the command does: back to the state after file 1, table by table
        IngestRevert ingests = new IngestRevert(dangan.service().database().dataSource(), dangan.bean("auditTrail", dangan.audit.AuditTrail.class));
        assertThatThrownBy(() -> ingests.revert(second, "li.keeper")).hasMessageContaining("no active manager").satisfies(e -> assertThat(((RuleException) e).message(Messages.of(Language.ZH))).isEqualTo("“li.keeper” 不是在职的经理：撤销导入需由经理操作（--by 姓名）"));
        IngestRevert.Result undone = ingests.revert(second, "wang.jl");
        assertThat(undone.archivesRemoved()).isEqualTo(1);
        assertThat(undone.exceptions()).isEmpty();
        assertThat(snapshot()).isEqualTo(afterFirst);
        assertThat(admin.get("/api/ingests").json().path("ingests").get(0).path("status").asText()).isEqualTo("reverted");
        // each restored field is a change of its own in the field's history
        String zhang = archiveNo("13600001111");
        assertThat(dangan.rows("select field, old_value, new_value, changed_by, reason from change_log l join customer c on c.id = l.customer_id"
                + " where c.archive_no = ? and l.source = ? and l.reverts_ingest_id = ? order by field", zhang, "撤销导入 #" + second, second))
                .extracting(r -> r.get("field") + ": " + r.get("old_value") + " → " + r.get("new_value") + " (" + r.get("changed_by") + ", "
                        + r.get("reason") + ")")
                .containsExactly("address: 苏州市姑苏区人民路8号 → 杭州市西湖区文三路1号 (wang.jl, 撤销导入 #" + second + "（members-2.csv）)",
                        "email: zhangsan@example.cn → null (wang.jl, 撤销导入 #" + second + "（members-2.csv）)",
                        "extra.会员等级: 钻石卡 → 金卡 (wang.jl, 撤销导入 #" + second + "（members-2.csv）)");
        assertThat(dangan.row("select status, reverted_by from ingest where id = ?", second))
                .containsEntry("status", "reverted").containsEntry("reverted_by", "wang.jl");
        assertThat(dangan.count("select count(*) from audit_log where action = 'revert' and actor = 'wang.jl'"
                + " and detail like ?", "撤销导入 #" + second + "（%）：删除档案 1 份，恢复字段 3 个，%")).isEqualTo(1);
        assertThatThrownBy(() -> ingests.revert(second, "wang.jl")).hasMessageContaining("is reverted");

        // a third source touches 王五's archive; then file 1 is reverted through the API
        String wang = archiveNo("13600003333");
        drop("visits-3.csv", THIRD);
        ApiClient.Reply reverted = manager.post("/api/ingests/" + first + "/revert", "{}");
        assertThat(reverted.status()).as(reverted.text()).isEqualTo(200);
        assertThat(reverted.json().path("archives_removed").asInt()).isEqualTo(2);
        assertThat(reverted.json().path("not_undone").get(0).path("archive_no").asText()).isEqualTo(wang);
        assertThat(reverted.json().path("not_undone").get(0).path("reason").asText()).isEqualTo("此后有其他来源为该档案添加过记录（消费、偏好、回访等）");
        assertThat(dangan.rows("select mobile from customer order by mobile")).extracting(r -> r.get("mobile"))
                .containsExactly("13600003333");
        Path report = dangan.home().resolve("outbox").resolve("rejects").resolve("members-1.csv.revert-" + first + ".csv");
        assertThat(Files.readString(report)).contains(wang + ",档案保留,此后有其他来源为该档案添加过记录")
                .contains(zhang + ",档案已删除（档案号不再使用）");

        // the reverted file dropped again is filed again: its checksum no longer blocks it
        long again = drop("members-2-again.csv", SECOND);
        assertThat(dangan.row("select status, duplicate_of, rows_new from ingest where id = ?", again))
                .containsEntry("status", "done").containsEntry("duplicate_of", null).containsEntry("rows_new", 3);
    }

    @Test
    void revertingASurveyBatchTakesBackItsFeedbackAndTheBatchIsTakenAgainWhenDroppedAgain() throws Exception {
        drop("survey-guests.csv", """
                姓名,手机
                陈静,13600005555
                刘洋,13600006666
                """);
        String batch = """
                [{"survey_id": "rv-1", "customer": {"mobile": "13600005555"}, "score": 5, "comment": "很好"},
                 {"survey_id": "rv-2", "customer": {"mobile": "13600006666"}, "score": 1, "comment": "太慢"},
                 {"survey_id": "rv-3", "customer": {"mobile": "13600007777"}, "score": 4}]
                """;
        long survey = dropSurvey("batch-rv.json", batch);
        String filed = "select count(*) from feedback where source_ingest_id = ?";
        assertThat(dangan.count(filed, survey)).isEqualTo(3); // two scores and one complaint
        assertThat(dangan.count("select count(*) from survey_review where source_ingest_id = ?", survey)).isEqualTo(1);

        IngestRevert.Result undone = new IngestRevert(dangan.service().database().dataSource(), dangan.bean("auditTrail", dangan.audit.AuditTrail.class)).revert(survey, "wang.jl");
        assertThat(undone.exceptions()).isEmpty();
        assertThat(dangan.count(filed, survey)).isZero();
        assertThat(dangan.count("select count(*) from survey_response where survey_id like 'rv-%'")).isZero();
        assertThat(dangan.count("select count(*) from survey_review where source_ingest_id = ?", survey)).isZero();
        // the archives the registration opened stay: the survey batch did not open them
        assertThat(dangan.count("select count(*) from customer where mobile in ('13600005555', '13600006666')")).isEqualTo(2);

        // dropped again, the same responses are filed again (their survey ids no longer count as received)
        long again = dropSurvey("batch-rv-again.json", batch);
        assertThat(dangan.count(filed, again)).isEqualTo(3);
    }

    private static long dropSurvey(String name, String json) throws Exception {
        Path inbox = dangan.home().resolve("inbox").resolve("surveys");
        Path staging = Files.createTempFile(dangan.home(), "copying-", ".tmp");
        Files.writeString(staging, json);
        Files.move(staging, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        RunningService.awaitHandled(inbox, name, Duration.ofSeconds(60));
        return dangan.count("select id from ingest where source_name = ?", name);
    }

    private static long drop(String name, String csv) throws Exception {
        dangan.drop(name, csv, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(name).toString()).contains("/done/");
        return dangan.count("select id from ingest where source_name = ?", name);
    }

    private static String archiveNo(String mobile) throws SQLException {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }

    /** Every field of every archive and every fact, without the bookkeeping a revert adds (times, the register). */
    static String snapshot() throws SQLException {
        StringBuilder all = new StringBuilder();
        for (String table : List.of("customer", "consumption", "preference", "health_fact", "special_date", "lunar_birthday",
                "companion", "consent", "pending_change", "notification_event")) {
            all.append(table).append('\n');
            for (Map<String, Object> row : dangan.rows("select (to_jsonb(t) - 'updated_at' - 'contact_confirmed_at')::text as j from "
                    + table + " t order by 1")) {
                all.append(row.get("j")).append('\n');
            }
        }
        return all.toString();
    }
}
