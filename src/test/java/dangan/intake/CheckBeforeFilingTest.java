package dangan.intake;

import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Check before filing, end to end (real routes, real PostgreSQL, real files): a file dropped into
 * inbox/check leaves the archive exactly as it was (every table of it, and the archive-number
 * counter), and its report's counts are the counts the real drop then records.
 */
@Tag("service")
class CheckBeforeFilingTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();

    static final String FIRST = """
            姓名,手机,地址,会员卡号
            张三,13700001111,杭州市西湖区文三路1号,A001
            李四,13700002222,上海市徐汇区,A002
            """;

    static final String SECOND = """
            姓名,手机,地址,消费日期,消费金额,病历摘要,会员卡号
            张三,13700001111,苏州市姑苏区人民路8号,,,,A001
            李四,13700002222,上海市徐汇区,2026-11-02,680,,A002
            王五,13700003333,南京市,,,高血压,A003
            ,13700004444,南京市,,,,A004
            """;

    @Test
    void aCheckedFileChangesNothingAndItsCountsAreTheRealIngestsCounts() throws Exception {
        dangan.drop("members-1.csv", FIRST, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("members-1.csv").toString()).contains("/done/");
        String before = snapshot();

        Path checkInbox = dangan.home().resolve("inbox").resolve("check");
        drop(checkInbox, "members-2.csv", SECOND);
        assertThat(RunningService.awaitHandled(checkInbox, "members-2.csv", Duration.ofSeconds(60)).toString()).contains("/done/");

        Path report = dangan.home().resolve("outbox").resolve("rejects").resolve("members-2.csv.check.csv");
        byte[] bytes = Files.readAllBytes(report);
        assertThat(bytes).startsWith(0xEF, 0xBB, 0xBF);
        List<CSVRecord> lines = CSVFormat.EXCEL.parse(new StringReader(new String(bytes, StandardCharsets.UTF_8).substring(1))).getRecords();
        assertThat(lines.get(0).values()).containsExactly("部分", "行", "档案号", "说明");
        assertThat(snapshot()).as("the archive after the check").isEqualTo(before);

        String zhang = archiveNo("13700001111");
        assertThat(cells(lines)).contains(
                "列名|||“手机” 识别为 手机",
                "列名|||“会员卡号” 未识别，作为附加属性保存",
                "2|更新|" + zhang + "|更新：地址: 杭州市西湖区文三路1号 → 苏州市姑苏区人民路8号",
                "3|更新|" + archiveNo("13700002222") + "|更新；新增 1 条消费/到访",
                "5|拒收||拒收：姓名 “” — 姓名为空：每份档案都需要客户姓名");
        assertThat(cells(lines)).anyMatch(l -> l.startsWith("列名|||“病历摘要” 看似敏感数据"));
        assertThat(cells(lines)).anyMatch(l -> l.matches("4\\|新建\\|\\d{9,}\\|新建"));
        // the new archive's number was not used up: the real drop opens it under the same number
        String wouldBe = cells(lines).stream().filter(l -> l.startsWith("4|新建|")).findFirst().orElseThrow().split("\\|")[2];
        // the column that looks sensitive is held back, not filed as a plain extra attribute
        assertThat(cells(lines)).anyMatch(l -> l.startsWith("4|") && l.contains("病历摘要") && l.contains("暂扣"));

        dangan.drop("members-2.csv", SECOND, StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("members-2.csv").toString()).contains("/done/");
        Map<String, Object> real = dangan.row("select rows_total, rows_new, rows_updated, rows_duplicate, rows_review,"
                + " rows_rejected, warnings from ingest where source_name = 'members-2.csv' and status = 'done'");
        Matcher counts = Pattern.compile("共 (\\d+) 行：新建 (\\d+)，更新 (\\d+)，重复 (\\d+)，待审核 (\\d+)，拒收 (\\d+)，警告 (\\d+)")
                .matcher(lines.get(2).get(3));
        assertThat(counts.find()).as(lines.get(2).get(3)).isTrue();
        assertThat(List.of(counts.group(1), counts.group(2), counts.group(3), counts.group(4), counts.group(5), counts.group(6), counts.group(7)))
                .containsExactly(real.values().stream().map(String::valueOf).toArray(String[]::new));
        assertThat(real).containsEntry("rows_total", 4).containsEntry("rows_new", 1).containsEntry("rows_updated", 2)
                .containsEntry("rows_rejected", 1);
        assertThat(archiveNo("13700003333")).isEqualTo(wouldBe);
        assertThat(dangan.row("select address from customer where mobile = '13700001111'"))
                .containsEntry("address", "苏州市姑苏区人民路8号");
    }

    @Test
    void aFileAlreadyFiledIsReportedAsTheDropWouldCallIt() throws Exception {
        String csv = "姓名,手机\n赵六,13700005555\n";
        dangan.drop("once.csv", csv, StandardCharsets.UTF_8);
        dangan.awaitHandled("once.csv");
        Path checkInbox = dangan.home().resolve("inbox").resolve("check");
        drop(checkInbox, "once-again.csv", csv);
        RunningService.awaitHandled(checkInbox, "once-again.csv", Duration.ofSeconds(60));
        String report = Files.readString(dangan.home().resolve("outbox").resolve("rejects").resolve("once-again.csv.check.csv"));
        assertThat(report).contains("内容与已归档的 once.csv").contains("不会改动任何内容");
    }

    @Test
    void aManagerChecksAnUploadThroughTheApiAndTheFrontDeskMayNot() throws Exception {
        ApiClient keeper = ApiClient.asNewUser(dangan, "keeper.check", Role.KEEPER);
        ApiClient desk = ApiClient.asNewUser(dangan, "desk.check", Role.FRONT_DESK);
        String csv = "姓名,手机,地址\n孙七,13700006666,成都市\n周八,1234,重庆市\n";
        String before = snapshot().replaceAll("(?s)audit_log\n.*", "");

        ApiClient.Reply checked = keeper.post("/api/ingests/check?name=upload-1.csv", csv);

        assertThat(checked.status()).as(checked.text()).isEqualTo(200);
        assertThat(checked.json().path("lines").asInt()).isEqualTo(2);
        assertThat(checked.json().path("new").asInt()).isEqualTo(1);
        assertThat(checked.json().path("rejected").asInt()).isEqualTo(1);
        assertThat(checked.json().path("report").asText()).isEqualTo("upload-1.csv.check.csv");
        assertThat(Files.readString(dangan.home().resolve("outbox").resolve("rejects").resolve("upload-1.csv.check.csv"))).contains("共 2 行：新建 1，更新 0，重复 0，待审核 0，拒收 1");
        assertThat(snapshot().replaceAll("(?s)audit_log\n.*", "")).isEqualTo(before);
        assertThat(dangan.count("select count(*) from audit_log where actor = 'keeper.check' and action = 'check'")).isEqualTo(1);
        assertThat(desk.post("/api/ingests/check?name=upload-2.csv", csv).status()).isEqualTo(403);
    }

    private static String archiveNo(String mobile) throws SQLException {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }

    private static void drop(Path inbox, String name, String content) throws IOException {
        Path staging = Files.createTempFile(dangan.home(), "copying-", ".tmp");
        Files.writeString(staging, content, StandardCharsets.UTF_8);
        Files.move(staging, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> cells(List<CSVRecord> records) {
        return records.stream().map(r -> String.join("|", r.values())).toList();
    }

    /** Every table a filing writes, and the archive-number counter, as text. */
    static String snapshot() throws SQLException {
        StringBuilder all = new StringBuilder();
        for (String table : List.of("customer", "change_log", "consumption", "preference", "health_fact", "special_date",
                "companion", "consent", "pending_change", "notification_event", "reminder", "archive_serial", "ingest",
                "intake_issue", "customer_key", "audit_log")) {
            all.append(table).append('\n');
            for (Map<String, Object> row : dangan.rows("select to_jsonb(t)::text as j from " + table + " t order by 1")) {
                all.append(row.get("j")).append('\n');
            }
        }
        return all.toString();
    }
}
