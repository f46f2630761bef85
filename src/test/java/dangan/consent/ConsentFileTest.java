package dangan.consent;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.support.RunningService;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Paper consent for a whole legacy file, dropped as a consent-only file into inbox/consents (issue 12): real
 * files through the real drop-folder route, the real database, the reject report and the audit log.
 */
@Tag("service")
class ConsentFileTest {

    @TempDir
    Path home;

    @Test
    void aConsentOnlyFileFilesEachDecisionUnderItsCustomerAndReportsTheRest() throws Exception {
        try (RunningService dangan = RunningService.start(home)) {
            dangan.drop("guests.csv", "姓名,手机\n张三,13800000001\n李四,13800000002\n王五,13800000003\n", StandardCharsets.UTF_8);
            dangan.awaitHandled("guests.csv");
            String zhang = archiveNo(dangan, "13800000001");
            long wang = (Long) dangan.row("select id from customer where mobile = '13800000003'").get("id");
            // 王五 withdrew his marketing consent at the desk after the paper form below
            dangan.count("with k as (insert into consent (customer_id, purpose, granted, source, recorded_by) values (?, 'marketing', false,"
                    + " 'desk', 'test') returning id) select count(*) from k", wang);

            String file = """
                    档案号,手机,用途,同意,日期,来源,同意书版本
                    %s,,营销,是,2019-05-01,纸质登记表,纸质-2019
                    ,13800000002,回访,撤回,2019-05-02,纸质登记表,纸质-2019
                    ,13800000003,营销,同意,2019-05-03,纸质登记表,纸质-2019
                    209912999,,营销,是,2019-05-01,纸质登记表,纸质-2019
                    %s,,也许,是,2019-05-01,纸质登记表,纸质-2019
                    """.formatted(zhang, zhang);
            Path inbox = dangan.dropInto("consents", "纸质同意-2019.csv", file, Charset.forName("GB18030"));
            Path kept = RunningService.awaitHandled(inbox, "纸质同意-2019.csv", Duration.ofSeconds(60));
            assertThat(kept.toString()).contains("/done/");

            // filed per customer with source, wording version, the day decided, the ingest and the line
            assertThat(dangan.rows("select c.archive_no, k.purpose, k.granted, k.source, k.wording_version, k.decided_on::text as day,"
                    + " k.source_line from consent k join customer c on c.id = k.customer_id where k.source_ingest_id is not null"
                    + " order by k.source_line")).containsExactly(
                    Map.of("archive_no", zhang, "purpose", "marketing", "granted", true, "source", "纸质登记表",
                            "wording_version", "纸质-2019", "day", "2019-05-01", "source_line", 2),
                    Map.of("archive_no", archiveNo(dangan, "13800000002"), "purpose", "contact", "granted", false,
                            "source", "纸质登记表", "wording_version", "纸质-2019", "day", "2019-05-02", "source_line", 3));
            assertThat(dangan.row("select consent_granted(id, 'marketing') as ok from customer where archive_no = ?", zhang))
                    .containsEntry("ok", true);
            // the older paper grant does not undo 王五's later withdrawal
            assertThat(dangan.row("select consent_granted(?, 'marketing') as ok", wang)).containsEntry("ok", false);
            // nothing else of the archives changed, no archive was opened
            assertThat(dangan.count("select count(*) from customer")).isEqualTo(3);

            assertThat(dangan.row("select status, rows_total, rows_new, rows_updated, rows_duplicate, rows_rejected, warnings"
                    + " from ingest where channel = 'consents'")).containsEntry("status", "done").containsEntry("rows_total", 5)
                    .containsEntry("rows_new", 0).containsEntry("rows_updated", 2).containsEntry("rows_duplicate", 1)
                    .containsEntry("rows_rejected", 2).containsEntry("warnings", 1);

            // rejects and the warning reported like any other channel's, in Chinese
            String report = Files.readString(dangan.rejectReport("纸质同意-2019.csv"), StandardCharsets.UTF_8).substring(1);
            List<CSVRecord> rows = CSVFormat.EXCEL.builder().setHeader().get().parse(new StringReader(report)).getRecords();
            assertThat(rows).extracting(r -> r.get("行") + "|" + r.get("结果") + "|" + r.get("列") + "|" + r.get("原因"))
                    .containsExactly(
                            "4|警告|date|" + "此决定早于已记录的决定（" + today(dangan) + "），且与之不同：未记录 — 较早的纸质同意不会推翻之后的决定；如确有更新的决定，请写上其日期",
                            "5|拒收|archive_no|没有档案号为 209912999 的档案：请更正此行后重新投放",
                            "6|拒收|purpose|不是已知的用途：应为 服务（service）、联系（contact，回访）、营销（marketing）或 敏感信息（sensitive）");

            // audited: one entry for the file, counting what it recorded
            assertThat((String) dangan.row("select detail from audit_log where actor = 'system:consents' and action = 'consent'")
                    .get("detail")).contains("共 5 行 — 记录同意 2").contains("营销 同意 1").contains("联系 拒绝或撤回 1")
                    .contains("同意书版本 纸质-2019");

            // the same content again changes nothing
            long consents = dangan.count("select count(*) from consent");
            Path again = RunningService.awaitHandled(dangan.dropInto("consents", "again.csv", file, Charset.forName("GB18030")),
                    "again.csv", Duration.ofSeconds(60));
            assertThat(again.toString()).contains("/done/");
            assertThat(dangan.row("select status from ingest where source_name = 'again.csv'")).containsEntry("status", "duplicate");
            assertThat(dangan.count("select count(*) from consent")).isEqualTo(consents);

            // a file that is not a consent file is set aside whole, with the reason in Chinese
            Path wrong = RunningService.awaitHandled(dangan.dropInto("consents", "名单.csv", "档案号,用途\n" + zhang + ",营销\n",
                    StandardCharsets.UTF_8), "名单.csv", Duration.ofSeconds(60));
            assertThat(wrong.toString()).contains("/failed/");
            assertThat(Files.readString(wrong.resolveSibling(wrong.getFileName() + ".error.txt")))
                    .contains("原因：同意记录文件缺少 granted（第一行共 2 列）");
            assertThat(dangan.count("select count(*) from consent")).isEqualTo(consents);
        }
    }

    private static String archiveNo(RunningService dangan, String mobile) throws Exception {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }

    /** The day 王五's withdrawal was recorded, as the warning names it. */
    private static String today(RunningService dangan) throws Exception {
        java.sql.Date day = (java.sql.Date) dangan.row("select (recorded_at at time zone 'UTC')::date as d from consent"
                + " where source = 'desk'").get("d");
        return Messages.of(Language.ZH).date(day.toLocalDate());
    }
}
