package dangan.retention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.jobs.JobDate;
import dangan.backup.Keyring;
import dangan.privacy.KeyDestroyedException;
import dangan.privacy.SensitiveFields;
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
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * D-31, D-32 end to end: deletion requests, approval by another manager, destruction that leaves
 * nothing of the customer, sealing that the merge respects, the retention review.
 */
@Tag("service")
class DestructionTest {

    static final String HEADER = "姓名,手机,身份证号,邮箱,地址,过敏史,偏好,消费金额,消费日期,服务项目,结婚纪念日,同行人\n";

    @TempDir
    static Path home;
    static RunningService dangan;
    static ApiClient keeper;
    static ApiClient li;
    static ApiClient zhou;
    static ApiClient desk;
    static int files;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                "dangan.db.user", "postgres", "dangan.retention.archive-years", "5", "dangan.retention.health-years", "2"));
        keeper = ApiClient.asNewUser(dangan, "wu.keeper", Role.KEEPER);
        li = ApiClient.asNewUser(dangan, "li.manager", Role.MANAGER);
        zhou = ApiClient.asNewUser(dangan, "zhou.manager", Role.MANAGER);
        desk = ApiClient.asNewUser(dangan, "chen.desk", Role.FRONT_DESK);
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void anApprovedDeletionRequestLeavesNothingOfTheCustomer() throws Exception {
        String name = "销毁测试甲";
        String mobile = "13912340001";
        file(HEADER
                + name + "," + mobile + ",11010519491231002X,jia@example.cn,北京市朝阳路1号,花生,靠窗座位,100,2026-01-05,精油按摩,2010-05-01,同伴乙\n"
                + "保留客人乙,13912340002,,yi@example.cn,上海,,安静,200,2026-01-06,足疗,,\n");
        // a later line: another name (held for review), a new preference (an event), a bad date (a warning)
        file("姓名,手机,偏好,消费日期\n" + name + "改,13912340001,要热茶,2026-13-40\n");
        Map<String, Object> a = dangan.row("select id, archive_no from customer where mobile = ?", mobile);
        long id = (Long) a.get("id");
        String archiveNo = (String) a.get("archive_no");
        long other = (Long) dangan.row("select id from customer where mobile = '13912340002'").get("id");
        sql("insert into feedback (customer_id, kind, score, comment) values (?, 'score', 5, '很好')", id);
        sql("insert into legal_hold (customer_id, reason, placed_by, released_by, released_at) values (?, 'dispute settled', 'x', 'y', now())", id);
        sql("insert into survey_response (survey_id, status, score, source_ingest_id, source_line) values ('s-jia', 'review', 4, 1, 1)");
        sql("insert into survey_review (survey_id, payload, reason, source_ingest_id, source_line) values ('s-jia', ?::jsonb, 'no archive', 1, 1)",
                "{\"customer\": {\"mobile\": \"" + mobile + "\", \"name\": \"" + name + "\"}, \"score\": 4}");
        assertThat(dangan.count("select count(*) from pending_change where customer_id = ?", id)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from notification_event where customer_id = ?", id)).isEqualTo(1);
        byte[] health = (byte[]) dangan.row("select detail_enc from health_fact where customer_id = ?", id).get("detail_enc");
        SensitiveFields sensitive = sensitiveFields();
        assertThat(sensitive.decrypt(health)).isEqualTo("花生");
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", id)).as("the customer's keys").isPositive();

        ApiClient.Reply filed = li.post("/api/archives/" + archiveNo + "/deletion-request", "{\"via\": \"phone\", \"note\": \"asked by phone\"}");
        assertThat(filed.status()).as(filed.text()).isEqualTo(201);
        long proposal = filed.json().get("proposal_id").asLong();
        assertThat(dangan.row("select kind, received_via, received_by, status, due_at::date - received_at::date as days"
                + " from subject_request where id = ?", filed.json().get("subject_request_id").asLong()))
                .containsEntry("kind", "deletion").containsEntry("received_via", "phone").containsEntry("received_by", "li.manager")
                .containsEntry("status", "open").containsEntry("days", 15);

        // filed, not approved: nothing is destroyed; the one who filed it cannot approve it
        assertThat(dangan.count("select count(*) from customer where id = ?", id)).isEqualTo(1);
        ApiClient.Reply own = li.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"ok\"}");
        assertThat(own.status()).isEqualTo(403);
        assertThat(keeper.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"ok\"}").status())
                .isEqualTo(403);
        assertThat(zhou.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"burn\", \"reason\": \"ok\"}").status())
                .isEqualTo(400);
        assertThat(dangan.count("select count(*) from customer where id = ?", id)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", id)).isEqualTo(1);

        // every filed original is sealed in done/ (right after its move)
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> dangan.count("select count(*) from ingest i"
                + " where i.status = 'done' and i.source_type = 'file' and not exists (select 1 from sealed_original s where s.ingest_id = i.id)") == 0);
        Instant approvedAfter = Instant.now().minusSeconds(1);
        ApiClient.Reply approved = zhou.post("/api/destruction-proposals/" + proposal + "/approve",
                "{\"method\": \"destroy\", \"reason\": \"identity checked, no legal reason to keep\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.json().get("lines").get(0).get("status").asText()).isEqualTo("destroyed");

        // no row anywhere refers to the customer, names them or holds their mobile
        for (String[] fk : referencesToCustomer()) {
            assertThat(dangan.count("select count(*) from " + fk[0] + " where " + fk[1] + " = ?", id))
                    .as(fk[0] + "." + fk[1]).isZero();
        }
        assertThat(dangan.count("select count(*) from customer_key where customer_id = ?", id)).isZero();
        for (String needle : List.of(name, mobile, "jia@example.cn", "同伴乙", "北京市朝阳路1号")) {
            assertThat(tablesHolding(needle, Set.of())).as("tables holding " + needle).isEmpty();
        }
        assertThat(tablesHolding(archiveNo, Set.of("destruction_record", "audit_log", "subject_request",
                "destruction_proposal_line", "access_request", "access_grant")))
                .as("tables holding the archive number").isEmpty();
        // the value read before cannot be read any more, from any copy: its key is gone (and forgotten by the cache)
        assertThatThrownBy(() -> sensitive.decrypt(health)).isInstanceOf(KeyDestroyedException.class);
        // and the backups' keyring was rewritten after the destruction, without the customer's keys
        Path keyring = home.resolve("backups").resolve(Keyring.FILE_NAME);
        assertThat(keyring).exists();
        assertThat(Files.getLastModifiedTime(keyring).toInstant()).isAfterOrEqualTo(approvedAfter);

        Map<String, Object> record = dangan.row("select archive_no, reason, proposal_id, approved_by, method, counts::text as counts,"
                + " originals::text as originals from destruction_record where archive_no = ?", archiveNo);
        // the two files the archive's lines came from are named: sealed in done/, still holding them (other customers' lines too)
        JsonNode originals = new ObjectMapper().readTree((String) record.get("originals"));
        assertThat(originals).hasSize(2).allSatisfy(o -> {
            assertThat(o.get("file").asText()).endsWith(".csv.sealed");
            assertThat(o.get("state").asText()).startsWith("仍含这些行");
        });
        assertThat(record).containsEntry("reason", "customer-request").containsEntry("proposal_id", proposal)
                .containsEntry("approved_by", "zhou.manager").containsEntry("method", "各行已删除，客户密钥已销毁");
        JsonNode counts = new ObjectMapper().readTree((String) record.get("counts"));
        assertThat(counts.get("customer").asLong()).isEqualTo(1);
        assertThat(counts.get("health_fact").asLong()).isEqualTo(1);
        assertThat(counts.get("consumption").asLong()).isEqualTo(1);
        assertThat(counts.get("preference").asLong()).isEqualTo(2);
        assertThat(counts.get("pending_change").asLong()).isEqualTo(1);
        assertThat(counts.get("notification_event").asLong()).isEqualTo(1);
        assertThat(counts.get("feedback").asLong()).isEqualTo(1);
        assertThat(counts.get("survey_review").asLong()).isEqualTo(2); // the waiting review and its response
        assertThat(counts.get("intake_issue").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(dangan.row("select status, customer_id, closed_by from subject_request where archive_no = ?", archiveNo))
                .containsEntry("status", "done").containsEntry("customer_id", null).containsEntry("closed_by", "zhou.manager");
        assertThat(dangan.count("select count(*) from audit_log where action = 'destroy' and archive_no = ? and actor = 'zhou.manager'",
                archiveNo)).isEqualTo(1);
        // in the configured language (Chinese by default), from the bundle area audit
        assertThat((String) dangan.row("select detail from audit_log where action = 'destroy' and archive_no = ?", archiveNo).get("detail"))
                .matches("销毁建议 #" + proposal + " 第 1 行已批准：删除各行，销毁客户密钥，\\d+ 张表中 \\d+ 行，销毁记录 #\\d+；理由：identity checked, no legal reason to keep");
        // the other customer is whole (and the scan does find what is there)
        assertThat(tablesHolding("13912340002", Set.of())).contains("customer.mobile");
        assertThat(dangan.count("select count(*) from consumption where customer_id = ?", other)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from preference where customer_id = ?", other)).isEqualTo(1);
        // and it cannot be done twice
        assertThat(zhou.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"again\"}")
                .status()).isEqualTo(409);
    }

    @Test
    void aRejectedProposalDestroysNothing() throws Exception {
        file(HEADER + "拒绝测试丙,13912340003,,bing@example.cn,广州,,,300,2026-02-01,按摩,,\n");
        String archiveNo = archiveOf("13912340003");
        ApiClient.Reply filed = desk.post("/api/archives/" + archiveNo + "/deletion-request", "{\"note\": \"at the desk\"}");
        assertThat(filed.status()).as(filed.text()).isEqualTo(201);
        long proposal = filed.json().get("proposal_id").asLong();
        assertThat(dangan.row("select received_via from subject_request where id = ?", filed.json().get("subject_request_id").asLong()))
                .containsEntry("received_via", "desk");

        assertThat(desk.get("/api/destruction-proposals/" + proposal).status()).isEqualTo(403);
        ApiClient.Reply shown = keeper.get("/api/destruction-proposals/" + proposal);
        assertThat(shown.json().get("reason").asText()).isEqualTo("customer-request");
        assertThat(shown.json().get("lines").get(0).get("archive_no").asText()).isEqualTo(archiveNo);
        assertThat(li.post("/api/destruction-proposals/" + proposal + "/reject", "{}").status()).isEqualTo(400);
        ApiClient.Reply rejected = li.post("/api/destruction-proposals/" + proposal + "/reject",
                "{\"reason\": \"open contract: the law requires keeping it\"}");
        assertThat(rejected.status()).as(rejected.text()).isEqualTo(200);

        assertThat(dangan.count("select count(*) from customer where archive_no = ?", archiveNo)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from consumption x join customer c on c.id = x.customer_id where c.archive_no = ?",
                archiveNo)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from destruction_record where archive_no = ?", archiveNo)).isZero();
        assertThat(dangan.row("select status, outcome from subject_request where archive_no = ?", archiveNo))
                .containsEntry("status", "refused");
        assertThat(dangan.row("select status from destruction_proposal where id = ?", proposal)).containsEntry("status", "decided");
        assertThat(zhou.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"x\"}").status())
                .isEqualTo(409);
        assertThat(dangan.count("select count(*) from customer where archive_no = ?", archiveNo)).isEqualTo(1);
    }

    @Test
    void aSealedArchiveTakesNoLaterLineUntilUnsealed() throws Exception {
        file(HEADER + "封存测试丁,13912340004,,ding@example.cn,深圳,,茶,400,2026-03-01,按摩,,\n");
        String archiveNo = archiveOf("13912340004");
        long proposal = keeper.post("/api/archives/" + archiveNo + "/deletion-request", "{\"via\": \"letter\"}").json()
                .get("proposal_id").asLong();
        ApiClient.Reply sealed = li.post("/api/destruction-proposals/" + proposal + "/approve",
                "{\"method\": \"seal\", \"reason\": \"tax law: keep contracts 10 years\"}");
        assertThat(sealed.status()).as(sealed.text()).isEqualTo(200);
        assertThat(dangan.row("select status, sealed_by, sealed_reason, sealed_at is not null as sealed from customer where archive_no = ?",
                archiveNo)).containsEntry("status", "sealed").containsEntry("sealed_by", "li.manager").containsEntry("sealed", true);
        assertThat(dangan.row("select status from subject_request where archive_no = ?", archiveNo)).containsEntry("status", "refused");

        Map<String, Object> before = dangan.row("select address, updated_at from customer where archive_no = ?", archiveNo);
        String later = file(HEADER + "封存测试丁,13912340004,,ding@example.cn,杭州,芒果,咖啡,999,2026-04-01,足疗,2011-01-01,某人\n");
        Map<String, Object> after = dangan.row("select id, address, updated_at from customer where archive_no = ?", archiveNo);
        assertThat(after.get("address")).isEqualTo(before.get("address"));
        assertThat(after.get("updated_at")).isEqualTo(before.get("updated_at"));
        long id = (Long) after.get("id");
        assertThat(dangan.count("select count(*) from consumption where customer_id = ?", id)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from preference where customer_id = ?", id)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", id)).isZero();
        assertThat(dangan.count("select count(*) from companion where customer_id = ?", id)).isZero();
        assertThat(dangan.row("select rows_review, warnings from ingest where source_name = ?", later))
                .containsEntry("rows_review", 1);
        assertThat(dangan.count("select count(*) from intake_issue i join ingest g on g.id = i.ingest_id where g.source_name = ?"
                + " and i.reason like ? and i.reason_key = 'merge.warn.sealed'", later, "档案 " + archiveNo + " 已封存（D-32）%")).isEqualTo(1);

        // read-only whatever the path: the database refuses a change of a sealed archive's data
        assertThatThrownBy(() -> sql("update customer set address = '改' where archive_no = ?", archiveNo))
                .hasMessageContaining("is sealed (D-32)");

        // sealed means kept: a proposal to destroy it is refused until a manager unseals it
        long damaged = keeper.post("/api/destruction-proposals", "{\"archive_nos\": [\"" + archiveNo + "\"], \"reason\": \"damaged\"}")
                .json().get("id").asLong();
        ApiClient.Reply refused = li.post("/api/destruction-proposals/" + damaged + "/approve",
                "{\"method\": \"destroy\", \"reason\": \"water damage\"}");
        assertThat(refused.status()).as(refused.text()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).isEqualTo("档案 " + archiveNo + "（第 1 行）已封存：因须留存记录而保留（D-32）；请经理先解封，或去掉这一行");
        assertThat(dangan.count("select count(*) from customer where archive_no = ?", archiveNo)).isEqualTo(1);

        assertThat(desk.post("/api/archives/" + archiveNo + "/unseal", "{\"reason\": \"x\"}").status()).isEqualTo(403);
        ApiClient.Reply unsealed = zhou.post("/api/archives/" + archiveNo + "/unseal", "{\"reason\": \"retention period over\"}");
        assertThat(unsealed.status()).as(unsealed.text()).isEqualTo(200);
        assertThat(dangan.row("select status, sealed_at from customer where archive_no = ?", archiveNo))
                .containsEntry("status", "active").containsEntry("sealed_at", null);
        assertThat(dangan.count("select count(*) from audit_log where action = 'unseal' and archive_no = ? and actor = 'zhou.manager'"
                + " and detail = '解除封存：retention period over'", archiveNo)).isEqualTo(1);
        // the change register says it in Chinese too: who had sealed it, and why it was unsealed
        assertThat(dangan.row("select old_value, reason from change_log l join customer c on c.id = l.customer_id"
                + " where c.archive_no = ? and l.field = 'sealed' order by l.id desc limit 1", archiveNo))
                .containsEntry("reason", "解除封存：retention period over").extractingByKey("old_value").asString().endsWith(" 封存");
        assertThat(zhou.post("/api/archives/" + archiveNo + "/unseal", "{\"reason\": \"again\"}").status()).isEqualTo(409);
    }

    @Test
    void theRetentionReviewProposesInactiveArchivesOnly() throws Exception {
        file(HEADER
                + "久未来戊,13912340005,,,,,,100,2015-06-01,按摩,,\n"
                + "常来己,13912340006,,,,,,100,2026-10-01,按摩,,\n"
                + "健康庚,13912340007,,,,虾,,100,2023-06-01,按摩,,\n"
                + "封存辛,13912340008,,,,,,100,2015-06-01,按摩,,\n"
                + "冻结壬,13912340009,,,,,,100,2015-06-01,按摩,,\n"
                + "回头客子,13912340013,,,,,,100,2015-06-01,按摩,,\n");
        sql("update customer set created_at = '2015-06-01', updated_at = '2015-06-01'"
                + " where mobile in ('13912340005', '13912340008', '13912340009', '13912340013')");
        sql("update customer set created_at = '2023-06-01', updated_at = '2023-06-01' where mobile = '13912340007'");
        sql("update customer set sealed_at = now(), sealed_by = 'x', sealed_reason = 'law', status = 'sealed' where mobile = '13912340008'");
        sql("insert into legal_hold (customer_id, reason, placed_by) select id, 'court order', 'li.manager' from customer where mobile = '13912340009'");

        String summary = runReview(LocalDate.of(2026, 12, 1));
        assertThat(summary).contains("提交销毁建议 #");
        long proposal = (Long) dangan.row("select id from destruction_proposal where reason = 'retention' and as_of = '2026-12-01'").get("id");
        List<Map<String, Object>> lines = dangan.rows("select archive_no, scope, last_activity::date::text as last from destruction_proposal_line"
                + " where proposal_id = ? order by line_no", proposal);
        assertThat(lines).hasSize(3);
        assertThat(lines).anySatisfy(l -> assertThat(l).containsEntry("archive_no", archiveOf("13912340005"))
                .containsEntry("scope", "archive").containsEntry("last", "2015-06-01"));
        assertThat(lines).anySatisfy(l -> assertThat(l).containsEntry("archive_no", archiveOf("13912340007"))
                .containsEntry("scope", "health"));
        assertThat(dangan.row("select filed_by from destruction_proposal where id = ?", proposal))
                .containsEntry("filed_by", "system:retention-review");
        // the proposal destroys nothing by itself, and is not filed twice
        assertThat(dangan.count("select count(*) from customer where mobile = '13912340005'")).isEqualTo(1);
        assertThat(runReview(LocalDate.of(2026, 12, 1))).contains("没有提交建议书");

        // the customer also asked to be deleted meanwhile: destroyed by the retention proposal, the request is done
        String oldArchive = archiveOf("13912340005");
        long asked = desk.post("/api/archives/" + oldArchive + "/deletion-request", "{}").json().get("proposal_id").asLong();
        // a customer who came back after the review is not destroyed
        sql("insert into consumption (customer_id, visit_date, amount, fact_key) select id, '2026-11-20', 50, gen_random_uuid()"
                + " from customer where mobile = '13912340013'");

        ApiClient.Reply approved = li.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"past retention\"}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(dangan.count("select count(*) from customer where mobile = '13912340013'")).isEqualTo(1);
        assertThat(dangan.row("select status, decision_reason from destruction_proposal_line where proposal_id = ? and archive_no = ?",
                proposal, archiveOf("13912340013"))).containsEntry("status", "stale");
        assertThat(dangan.count("select count(*) from customer where mobile = '13912340005'")).isZero();
        assertThat(dangan.row("select status, closed_by from subject_request where archive_no = ?", oldArchive))
                .containsEntry("status", "done").containsEntry("closed_by", "li.manager");
        ApiClient.Reply late = zhou.post("/api/destruction-proposals/" + asked + "/approve", "{\"method\": \"destroy\", \"reason\": \"asked\"}");
        assertThat(late.json().get("lines").get(0).get("status").asText()).isEqualTo("gone");
        assertThat(dangan.count("select count(*) from destruction_record where archive_no = ?", oldArchive)).isEqualTo(1);
        assertThat(dangan.count("select count(*) from customer where mobile = '13912340007'")).isEqualTo(1);
        assertThat(dangan.count("select count(*) from health_fact h join customer c on c.id = h.customer_id where c.mobile = '13912340007'"))
                .isZero();
        assertThat(dangan.row("select method, reason from destruction_record where archive_no = ?", archiveOf("13912340007")))
                .containsEntry("method", "健康信息已删除").containsEntry("reason", "retention");
    }

    @Test
    void tablesAddedLaterAreCoveredThroughTheirForeignKeys() throws Exception {
        file(HEADER + "新表测试癸,13912340010,,,,,,,,,,\n" + "新表旁人,13912340012,,,,,,,,,,\n");
        long id = (Long) dangan.row("select id from customer where mobile = '13912340010'").get("id");
        long other = (Long) dangan.row("select id from customer where mobile = '13912340012'").get("id");
        sql("create table later_fact (id serial primary key, customer_id bigint not null references customer (id), note text)");
        sql("create table later_detail (fact_id int not null references later_fact (id), note text)");
        sql("insert into later_fact (customer_id, note) values (?, '新表测试癸的记录'), (?, 'other')", id, other);
        sql("insert into later_detail (fact_id, note) select id, note from later_fact");
        String archiveNo = archiveOf("13912340010");
        long proposal = keeper.post("/api/archives/" + archiveNo + "/deletion-request", "{}").json().get("proposal_id").asLong();

        ApiClient.Reply approved = li.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"asked\"}");

        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(dangan.count("select count(*) from later_fact where customer_id = ?", id)).isZero();
        assertThat(dangan.count("select count(*) from later_detail where note like '新表测试癸%'")).isZero();
        assertThat(dangan.count("select count(*) from later_detail")).isEqualTo(1);
        assertThat(dangan.row("select counts ->> 'later_fact' as f, counts ->> 'later_detail' as d from destruction_record where archive_no = ?",
                archiveNo)).containsEntry("f", "1").containsEntry("d", "1");
    }

    @Test
    void aKeeperProposesADamagedArchiveAndAManagerDestroysIt() throws Exception {
        file(HEADER + "损坏档案丑,13912340014,,,,,,,,,,\n");
        String archiveNo = archiveOf("13912340014");
        assertThat(desk.post("/api/destruction-proposals", "{\"archive_nos\": [\"" + archiveNo + "\"], \"reason\": \"damaged\"}")
                .status()).isEqualTo(403);
        assertThat(keeper.post("/api/destruction-proposals", "{\"archive_nos\": [\"" + archiveNo + "\"], \"reason\": \"customer-request\"}")
                .status()).isEqualTo(400);
        assertThat(keeper.post("/api/destruction-proposals", "{\"archive_nos\": [\"209901998\"], \"reason\": \"damaged\"}")
                .status()).isEqualTo(404);
        ApiClient.Reply filed = keeper.post("/api/destruction-proposals",
                "{\"archive_nos\": [\"" + archiveNo + "\"], \"reason\": \"damaged\", \"note\": \"paper card water-damaged, data unreliable\"}");
        assertThat(filed.status()).as(filed.text()).isEqualTo(201);
        long proposal = filed.json().get("id").asLong();
        assertThat(filed.json().get("filed_by").asText()).isEqualTo("wu.keeper");
        assertThat(keeper.post("/api/destruction-proposals", "{\"archive_nos\": [\"" + archiveNo + "\"], \"reason\": \"damaged\"}")
                .status()).isEqualTo(409);
        assertThat(keeper.post("/api/destruction-proposals/" + proposal + "/approve", "{\"method\": \"destroy\", \"reason\": \"x\"}")
                .status()).isEqualTo(403);
        assertThat(dangan.count("select count(*) from customer where archive_no = ?", archiveNo)).isEqualTo(1);

        ApiClient.Reply approved = li.post("/api/destruction-proposals/" + proposal + "/approve",
                "{\"lines\": [1], \"method\": \"destroy\", \"reason\": \"checked the card\"}");

        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(approved.json().get("proposal_status").asText()).isEqualTo("decided");
        assertThat(dangan.count("select count(*) from customer where archive_no = ?", archiveNo)).isZero();
        assertThat(dangan.row("select reason, approved_by from destruction_record where archive_no = ?", archiveNo))
                .containsEntry("reason", "damaged").containsEntry("approved_by", "li.manager");
    }

    @Test
    void unknownArchivesAndBadInputAreRefused() throws Exception {
        assertThat(desk.post("/api/archives/209901999/deletion-request", "{}").status()).isEqualTo(404);
        assertThat(desk.post("/api/archives/x'or'1/deletion-request", "{}").status()).isEqualTo(400);
        assertThat(desk.post("/api/archives/209901999/deletion-request", "{\"via\": 3}").status()).isEqualTo(400);
        assertThat(dangan.count("select count(*) from subject_request where archive_no = '209901999'")).isZero();
        ApiClient auditor = ApiClient.asNewUser(dangan, "sun.auditor", Role.AUDITOR);
        assertThat(auditor.post("/api/archives/209901999/deletion-request", "{}").status()).isEqualTo(403);
        assertThat(li.get("/api/destruction-proposals/99999").status()).isEqualTo(404);
        assertThat(li.get("/api/destruction-proposals").status()).isEqualTo(200);
        assertThat(li.get("/api/openapi.json").text()).contains("/destruction-proposals/{id}/approve")
                .contains("/archives/{archiveNo}/deletion-request");
    }

    // ---- helpers

    static String runReview(LocalDate day) {
        return dangan.service().camelContext().createProducerTemplate()
                .requestBodyAndHeader("direct:job-retention-review", null, JobDate.HEADER, day, String.class);
    }

    /** Files a registration file through the drop folder; returns its ingest name. */
    static String file(String csv) throws Exception {
        String name = "destroy-" + (++files) + ".csv";
        dangan.drop(name, csv, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled(name).toString()).contains("done");
        return name;
    }

    static String archiveOf(String mobile) throws Exception {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }

    static void sql(String statement, Object... params) throws Exception {
        try (var c = dataSource().getConnection(); var ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            ps.execute();
        }
    }

    static DataSource dataSource() {
        return dangan.bean("dataSource", DataSource.class);
    }

    static SensitiveFields sensitiveFields() {
        SensitiveFields bound = dangan.bean("sensitiveFields", SensitiveFields.class);
        return bound != null ? bound : new SensitiveFields(Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY));
    }

    /** Every column that holds a reference to customer (table, column). */
    static List<String[]> referencesToCustomer() throws Exception {
        List<String[]> out = new ArrayList<>();
        for (Map<String, Object> r : dangan.rows("""
                select con.conrelid::regclass::text as t, a.attname::text as col
                from pg_constraint con join pg_attribute a on a.attrelid = con.conrelid and a.attnum = any (con.conkey)
                where con.contype = 'f' and con.confrelid = 'customer'::regclass""")) {
            out.add(new String[] {(String) r.get("t"), (String) r.get("col")});
        }
        out.add(new String[] {"customer", "id"});
        return out;
    }

    /** The tables (table.column) in which any text, json or bytea column holds the needle. */
    static List<String> tablesHolding(String needle, Set<String> except) throws Exception {
        List<String> found = new ArrayList<>();
        for (Map<String, Object> col : dangan.rows("""
                select c.table_name::text as t, c.column_name::text as col, c.data_type::text as type
                from information_schema.columns c join information_schema.tables t
                  on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
                where c.table_schema = current_schema()
                  and c.data_type in ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'ARRAY')""")) {
            String t = (String) col.get("t");
            if (except.contains(t)) continue;
            String column = "\"" + col.get("col") + "\"";
            String where = "bytea".equals(col.get("type"))
                    ? "position(convert_to(?, 'UTF8') in " + column + ") > 0"
                    : "strpos(" + column + "::text, ?) > 0";
            if (dangan.count("select count(*) from " + t + " where " + where, needle) > 0) found.add(t + "." + col.get("col"));
        }
        return found;
    }
}
