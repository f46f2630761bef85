package dangan.consent;

import dangan.archive.ReviewQueue;
import dangan.privacy.SensitiveFields;
import dangan.store.Db;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** dangan.consent.strict=true: sensitive data without its separate consent waits in the review queue, unfiled. */
@Tag("service")
class StrictConsentTest {

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.consent.strict", "true"));
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    @Test
    void sensitiveValuesWithoutConsentAreHeldAndFiledOnAcceptance() throws Exception {
        dangan.drop("strict.csv", """
                姓名,手机,身份证号,过敏史,健康状况,敏感信息同意
                张伟,13800138000,440304199001011233,花生过敏,,
                李娜,13900139000,11010519491231002X,青霉素过敏,哮喘,是
                """, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("strict.csv").toString()).contains("/done/");
        Map<String, Object> zhang = dangan.row("select * from customer where mobile = '13800138000'");
        Map<String, Object> li = dangan.row("select * from customer where mobile = '13900139000'");

        // without consent: the archive is opened (matching still works on the blind index, the masked number shows),
        // but neither the full ID number nor the health fact is filed: both wait in pending_change
        assertThat(zhang.get("id_number_enc")).isNull();
        assertThat(zhang.get("id_number_hash")).isNotNull();
        assertThat(zhang.get("id_number_masked")).isEqualTo("440304********1233");
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", zhang.get("id"))).isZero();
        List<Map<String, Object>> held = dangan.rows("select id, field, reason, proposed_enc from pending_change"
                + " where customer_id = ? and status = 'pending' order by field", zhang.get("id"));
        assertThat(held).extracting(r -> r.get("field")).containsExactly("health:allergy", "id_number");
        // said in Chinese (the merge wrote a key: merge.held.sensitive), the key kept for another language
        assertThat((String) held.get(0).get("reason")).contains("暂扣：档案 " + zhang.get("archive_no") + " 的敏感数据")
                .contains("没有记录敏感数据同意").contains("dangan.consent.strict");
        assertThat(dangan.row("select reason_key, reason_args ->> 'archive' as archive from pending_change where id = ?",
                held.get(0).get("id"))).containsEntry("reason_key", "merge.held.sensitive").containsEntry("archive", zhang.get("archive_no"));
        // the held values are sealed under a key of that customer
        for (Map<String, Object> h : held) {
            assertThat(dangan.row("select customer_id from customer_key where id = ?",
                    SensitiveFields.keyId((byte[]) h.get("proposed_enc")))).containsEntry("customer_id", zhang.get("id"));
        }
        // with consent on the line: filed as usual
        assertThat(li.get("id_number_enc")).isNotNull();
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", li.get("id"))).isEqualTo(2);
        assertThat(dangan.count("select count(*) from pending_change where customer_id = ?", li.get("id"))).isZero();

        // the reject report says why, without the health data; the counts reconcile
        String report = Files.readString(dangan.rejectReport("strict.csv"), StandardCharsets.UTF_8).substring(1);
        List<CSVRecord> rows = CSVFormat.EXCEL.builder().setHeader().get().parse(new StringReader(report)).getRecords();
        assertThat(rows).extracting(r -> r.get("行") + "|" + r.get("结果") + "|" + r.get("列"))
                .containsExactlyInAnyOrder("2|警告|过敏史", "2|警告|身份证号");
        assertThat(report).doesNotContain("花生").doesNotContain("440304199001011233");
        assertThat(rows).extracting(r -> r.get("原因")).allSatisfy(reason -> assertThat(reason).startsWith("暂扣：档案 "));
        assertThat(dangan.row("select rows_total, rows_new, warnings from ingest where source_name = 'strict.csv'"))
                .containsEntry("rows_total", 2).containsEntry("rows_new", 2).containsEntry("warnings", 2);

        // the consent is recorded later; a person accepts the held values: they join the archive
        Db.jdbi(dangan.service().database().dataSource()).useHandle(h -> new Consents(dangan.service().database().dataSource())
                .record(h, (Long) zhang.get("id"), "sensitive", true, "paper form", "v1"));
        ReviewQueue queue = new ReviewQueue(dangan.service().database().dataSource());
        for (Map<String, Object> h : held) queue.accept((Long) h.get("id"), "王经理");
        SensitiveFields sensitive = dangan.bean("sensitiveFields", SensitiveFields.class);
        assertThat(sensitive.decrypt((byte[]) dangan.row("select id_number_enc from customer where id = ?", zhang.get("id"))
                .get("id_number_enc"))).isEqualTo("440304199001011233");
        assertThat(sensitive.decrypt((byte[]) dangan.row("select detail_enc from health_fact where customer_id = ?", zhang.get("id"))
                .get("detail_enc"))).isEqualTo("花生过敏");

        // a line of a customer whose consent is on record files at once
        dangan.drop("strict-2.csv", "姓名,手机,健康状况\n张伟,13800138000,高血压\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("strict-2.csv");
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ?", zhang.get("id"))).isEqualTo(2);
        assertThat(dangan.count("select count(*) from pending_change where status = 'pending'")).isZero();
    }
}
