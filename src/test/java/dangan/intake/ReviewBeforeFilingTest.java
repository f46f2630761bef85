package dangan.intake;

import dangan.archive.ReviewQueue;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** D-13 / D-16: contradictions and low-trust data wait for a person instead of being filed. */
@Tag("service")
class ReviewBeforeFilingTest {

    @TempDir
    Path home;

    @Test
    void aContradictedBirthDateWaitsForReviewAndIsAppliedWhenAccepted() throws Exception {
        try (RunningService dangan = RunningService.start(home)) {
            dangan.drop("monday.csv", "姓名,手机,出生日期,地址\n杨过,13566667777,1990-01-01,襄阳\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("monday.csv");
            dangan.drop("tuesday.csv", "姓名,手机,生日,地址\n杨过,13566667777,1991-02-02,终南山\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("tuesday.csv");

            // the address is an ordinary change and is filed; the birth date contradicts the archive and waits
            assertThat(dangan.row("select birth_date, address from customer where mobile = ?", "13566667777"))
                    .containsEntry("birth_date", java.sql.Date.valueOf("1990-01-01")).containsEntry("address", "终南山");
            assertThat(dangan.row("select rows_updated, rows_review from ingest where source_name = ?", "tuesday.csv"))
                    .containsEntry("rows_updated", 0).containsEntry("rows_review", 1);
            // the change register says why in Chinese: the file it came from
            assertThat(dangan.row("select reason from change_log where field = 'address'")).containsEntry("reason", "导入 tuesday.csv");
            // the merge's warning in Chinese (written by the SQL as a key, merge.why.identity-differs, said when the merge ends),
            // naming the column as this file named it (生日), as the reader's own rejects do — not the field (birth_date)
            assertThat(Files.readString(dangan.rejectReport("tuesday.csv"))).contains("2,警告,生日,1991-02-02,与档案 ")
                    .contains("（1990-01-01）不一致：保留档案中的值，新值等待审核 — 请与客户确认（D-13）");

            ReviewQueue queue = new ReviewQueue(dangan.service().database().dataSource());
            assertThat(queue.pendingChanges()).singleElement().satisfies(p -> {
                assertThat(p.field()).isEqualTo("birth_date");
                assertThat(p.current()).isEqualTo("1990-01-01");
                assertThat(p.currentSource()).isEqualTo("monday.csv");
                assertThat(p.currentLine()).isEqualTo(2);
                assertThat(p.proposed()).isEqualTo("1991-02-02");
                assertThat(p.source()).isEqualTo("tuesday.csv");
                assertThat(p.line()).isEqualTo(2);
            });

            ReviewQueue.PendingChange held = queue.pendingChanges().get(0);
            ApiClient reviewer = ApiClient.asNewUser(dangan, "店长王", Role.MANAGER);
            assertThat(reviewer.post("/api/review/" + held.id() + "/accept", "").status()).isEqualTo(200);

            assertThat(dangan.row("select birth_date from customer where mobile = ?", "13566667777"))
                    .containsEntry("birth_date", java.sql.Date.valueOf("1991-02-02"));
            // the change register and the audit log say it in Chinese (bundle area audit)
            assertThat(dangan.row("select old_value, new_value, changed_by, reason from change_log where field = 'birth_date'"))
                    .containsEntry("old_value", "1990-01-01").containsEntry("new_value", "1991-02-02").containsEntry("changed_by", "店长王")
                    .containsEntry("reason", "经审核接受：" + held.reason());
            assertThat(dangan.row("select detail from audit_log where actor = '店长王' and action = 'change'"))
                    .containsEntry("detail", "待审核的变更 #" + held.id() + "（出生日期）经审核接受并已应用");
            assertThat(queue.pendingChanges()).isEmpty();

            // an e-mail address that belongs to another archive is not moved; the warning is said in Chinese
            dangan.drop("wednesday.csv", "姓名,手机,邮箱\n郭靖,13511112222,gj@example.cn\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("wednesday.csv");
            String yang = (String) dangan.row("select archive_no from customer where mobile = ?", "13566667777").get("archive_no");
            String guo = (String) dangan.row("select archive_no from customer where mobile = ?", "13511112222").get("archive_no");
            String thursday = "姓名,手机,电子邮箱\n杨过,13566667777,gj@example.cn\n";
            dangan.drop("thursday.csv", thursday, StandardCharsets.UTF_8);
            dangan.awaitHandled("thursday.csv");
            assertThat(Files.readString(dangan.rejectReport("thursday.csv"))).contains("2,警告,电子邮箱,gj@example.cn,已属于档案 " + guo
                    + "，而此行匹配的是档案 " + yang + "：未移动 — 请核对哪份档案正确并更正");
            Map<String, Object> issue = dangan.row("select i.ingest_id, reason_key from intake_issue i join ingest g on g.id = i.ingest_id"
                    + " where g.source_name = ?", "thursday.csv");
            assertThat(issue).containsEntry("reason_key", "merge.why.other-archive");
            // the key is kept: the administrator's API says it in the request's language
            ApiClient admin = ApiClient.asNewUser(dangan, "admin.review", Role.ADMIN);
            assertThat(admin.get("/api/ingests/" + issue.get("ingest_id"), "en").json().at("/issues/0/reason").asText())
                    .isEqualTo("already belongs to archive " + guo + " while this line matched archive " + yang
                            + "; not moved — check which archive is right and correct it");
            assertThat(admin.get("/api/ingests/" + issue.get("ingest_id")).json().at("/issues/0/reason").asText()).startsWith("已属于档案 ");
            assertThat(admin.get("/api/ingests/" + issue.get("ingest_id")).json().at("/issues/0/column").asText()).isEqualTo("电子邮箱");
            // dropped again: the same content is recognised, nothing changes, no new warning
            long issues = dangan.count("select count(*) from intake_issue");
            dangan.drop("thursday-again.csv", thursday, StandardCharsets.UTF_8);
            dangan.awaitHandled("thursday-again.csv");
            assertThat(dangan.row("select status from ingest where source_name = ?", "thursday-again.csv")).containsEntry("status", "duplicate");
            assertThat(dangan.count("select count(*) from intake_issue")).isEqualTo(issues);
            assertThat(dangan.row("select email from customer where archive_no = ?", yang)).containsEntry("email", null);
        }
    }

    @Test
    void dataFromALowTrustChannelWaitsUntilFiled() throws Exception {
        try (RunningService dangan = RunningService.start(home, Map.of(
                "dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.trust.low-channels", "registrations", "dangan.locale", "en"))) {
            dangan.drop("walk-ins.csv", "姓名,手机,地址\n小龙女,13677778888,古墓\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("walk-ins.csv");
            Map<String, Object> archive = dangan.row("select archive_no, review_status, tier from customer where mobile = ?", "13677778888");
            assertThat(archive).containsEntry("review_status", "pending");
            // held as a whole: no tier from the intake (not even as the merge opens it)
            assertThat(archive.get("tier")).isNull();
            assertThat(dangan.row("select rows_new, rows_review from ingest where source_name = ?", "walk-ins.csv"))
                    .containsEntry("rows_new", 0).containsEntry("rows_review", 1);

            dangan.drop("walk-ins-2.csv", "姓名,手机,地址\n小龙女,13677778888,绝情谷\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("walk-ins-2.csv");
            assertThat(dangan.row("select address from customer where mobile = ?", "13677778888")).containsEntry("address", "古墓");

            ReviewQueue queue = new ReviewQueue(dangan.service().database().dataSource());
            assertThat(queue.pendingArchives()).extracting(ReviewQueue.PendingArchive::archiveNo).containsExactly((String) archive.get("archive_no"));
            ApiClient keeper = ApiClient.asNewUser(dangan, "主管", Role.KEEPER);
            assertThat(keeper.post("/api/review/archives/" + archive.get("archive_no") + "/file", "").status()).isEqualTo(200);
            assertThat(dangan.row("select review_status from customer where mobile = ?", "13677778888")).containsEntry("review_status", "filed");
            // with dangan.locale=en the change register and the audit log say it in English
            assertThat(dangan.row("select reason from change_log where field = 'review_status'"))
                    .containsEntry("reason", "archive reviewed and filed (D-16)");
            assertThat(dangan.row("select detail from audit_log where actor = '主管' and action = 'change'"))
                    .containsEntry("detail", "archive reviewed and filed (D-16): review status pending -> filed");
            // with dangan.locale=en the reason the change waits is said in English
            assertThat(queue.pendingChanges()).singleElement().satisfies(p ->
                    assertThat(p.reason()).isEqualTo("waits for review: the source is marked low-trust (D-16)"));
            long rejected = queue.pendingChanges().get(0).id();
            assertThat(keeper.post("/api/review/" + rejected + "/reject", "").status()).isEqualTo(200);
            assertThat(dangan.row("select detail from audit_log where actor = '主管' and action = 'reject'"))
                    .containsEntry("detail", "held change #" + rejected + " (address) rejected on review: the archive keeps its value");
            assertThat(dangan.row("select address from customer where mobile = ?", "13677778888")).containsEntry("address", "古墓");
            assertThat(dangan.row("select status, decided_by from pending_change")).containsEntry("status", "rejected")
                    .containsEntry("decided_by", "主管");
        }
    }
}
