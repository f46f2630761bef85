package dangan.intake;

import dangan.support.RunningService;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The registrations drop folder end to end: real routes, real PostgreSQL, real files. */
@Tag("service")
class RegistrationIntakeTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();

    @Test
    void gbkCsvWithChineseHeadersIsFiled() throws Exception {
        dangan.drop("daily-report-gbk.csv", Path.of("test-data/registrations/daily-report-gbk.csv"));

        assertThat(dangan.awaitHandled("daily-report-gbk.csv").toString()).contains("/done/");
        Map<String, Object> ingest = dangan.row("select * from ingest where source_name = ?", "daily-report-gbk.csv");
        assertThat(ingest).containsEntry("status", "done").containsEntry("rows_total", 4).containsEntry("rows_new", 4)
                .containsEntry("rows_rejected", 0);
        assertThat((String) ingest.get("format")).contains("GB18030");

        Map<String, Object> zhang = dangan.row("select * from customer where mobile = ?", "13800138000");
        assertThat(zhang).containsEntry("name", "张伟").containsEntry("gender", "M")
                .containsEntry("birth_date", java.sql.Date.valueOf("1990-01-01"))
                .containsEntry("email", "zhangwei@example.cn").containsEntry("id_number_masked", "440304********1233");
        assertThat((String) zhang.get("archive_no")).matches("\\d{6}\\d{3,}");
        assertThat(zhang.get("extra").toString()).contains("会员等级备注").contains("老客户");
        assertThat(dangan.row("select amount, visit_date, service, branch from consumption where customer_id = ?", zhang.get("id")))
                .containsEntry("amount", new BigDecimal("1280.00"))
                .containsEntry("visit_date", java.sql.Date.valueOf("2023-09-01"))
                .containsEntry("service", "精油按摩").containsEntry("branch", "福田店");
        assertThat(dangan.count("select count(*) from health_fact where customer_id = ? and kind = 'allergy'", zhang.get("id"))).isEqualTo(1);
        assertThat(dangan.row("select detail from preference where customer_id = ?", zhang.get("id"))).containsEntry("detail", "靠窗座位");

        // ID number gives birth date and gender; +86 and dashes are normalised away
        assertThat(dangan.row("select name, gender, birth_date from customer where mobile = ?", "13900139000"))
                .containsEntry("name", "李娜").containsEntry("gender", "F")
                .containsEntry("birth_date", java.sql.Date.valueOf("1949-12-31"));
        // full-width letters, digits and punctuation become half-width; an Excel serial date is a date
        Map<String, Object> chen = dangan.row("select * from customer where mobile = ?", "15900159000");
        assertThat(chen).containsEntry("name", "ABC陈,").containsEntry("gender", "F");
        assertThat(dangan.row("select visit_date from consumption where customer_id = ?", chen.get("id")))
                .containsEntry("visit_date", java.sql.Date.valueOf("2023-09-03"));
    }

    @Test
    void xlsxIsFiledWithDateAndNumericCells() throws Exception {
        dangan.drop("archive-cards.xlsx", xlsx(List.of(
                List.of("客户姓名", "手机", "生日", "邮箱", "房间偏好"),
                List.of("刘洋", 13300133000d, LocalDate.of(1980, 5, 20), "liuyang@example.cn", "高楼层"),
                List.of("陈静", "133-0013-3001", LocalDate.of(1975, 11, 2), "", ""))));

        assertThat(dangan.awaitHandled("archive-cards.xlsx").toString()).contains("/done/");
        assertThat(dangan.row("select * from customer where mobile = ?", "13300133000"))
                .containsEntry("name", "刘洋").containsEntry("birth_date", java.sql.Date.valueOf("1980-05-20"));
        assertThat(dangan.row("select category, detail from preference p join customer c on c.id = p.customer_id where c.mobile = ?",
                "13300133000")).containsEntry("category", "room").containsEntry("detail", "高楼层");
        assertThat(dangan.row("select birth_date from customer where mobile = ?", "13300133001"))
                .containsEntry("birth_date", java.sql.Date.valueOf("1975-11-02"));
        assertThat(dangan.row("select status, rows_new, format from ingest where source_name = ?", "archive-cards.xlsx"))
                .containsEntry("status", "done").containsEntry("rows_new", 2);
    }

    @Test
    void badRowsAreRejectedOrWarnedLineByLine() throws Exception {
        dangan.drop("bad-rows.csv", Path.of("test-data/bad/bad-rows.csv"));
        dangan.awaitHandled("bad-rows.csv");

        assertThat(dangan.row("select rows_total, rows_new, rows_rejected, warnings from ingest where source_name = ?", "bad-rows.csv"))
                .containsEntry("rows_total", 6).containsEntry("rows_new", 2).containsEntry("rows_rejected", 4)
                .containsEntry("warnings", 4);

        byte[] report = Files.readAllBytes(dangan.rejectReport("bad-rows.csv"));
        assertThat(report).startsWith(0xEF, 0xBB, 0xBF);
        List<CSVRecord> lines = CSVFormat.EXCEL.parse(new StringReader(new String(report, StandardCharsets.UTF_8).substring(1))).getRecords();
        assertThat(lines.get(0).values()).containsExactly("行", "结果", "列", "值", "原因");
        assertThat(lines).hasSize(1 + 8);
        assertThat(cells(lines.get(1))).startsWith("2|拒收|姓名||姓名为空：每份档案都需要客户姓名");
        assertThat(cells(lines.get(2))).startsWith("3|拒收|手机/身份证号/邮箱||无法识别客户（手机: '12345' 不是大陆手机号");
        assertThat(cells(lines.get(3))).startsWith("4|警告|出生日期|1988-13-45|");
        assertThat(cells(lines.get(4))).startsWith("4|警告|消费金额|abc|");
        assertThat(cells(lines.get(5))).startsWith("4|警告|消费日期|2023-02-30|");
        assertThat(cells(lines.get(6))).startsWith("5|拒收|手机/身份证号/邮箱||").contains("440304********1234")
                .doesNotContain("440304199001011234");
        assertThat(cells(lines.get(7))).startsWith("6|警告|邮箱|not-an-email|");
        assertThat(cells(lines.get(8))).startsWith("7|拒收|").contains("没有手机号、身份证号或邮箱");

        // the row with warnings is filed, the bad values left empty
        assertThat(dangan.row("select name, birth_date from customer where mobile = ?", "13800000002"))
                .containsEntry("name", "孙八").containsEntry("birth_date", null);
        // rejected lines keep their raw text, encrypted
        assertThat(dangan.count("select count(*) from intake_issue i join ingest g on g.id = i.ingest_id"
                + " where g.source_name = ? and severity = 'reject' and raw_enc is not null", "bad-rows.csv")).isEqualTo(4);
    }

    @Test
    void reDroppedFileChangesNothingAndSaysSo() throws Exception {
        String csv = "姓名,手机,偏好\n马六,13811112222,茉莉花茶\n";
        dangan.drop("first.csv", csv, StandardCharsets.UTF_8);
        dangan.awaitHandled("first.csv");
        long customers = dangan.count("select count(*) from customer");
        long changes = dangan.count("select count(*) from change_log");

        dangan.drop("same-content-other-name.csv", csv, StandardCharsets.UTF_8);

        assertThat(dangan.awaitHandled("same-content-other-name.csv").toString()).contains("/done/");
        assertThat(dangan.row("select status, duplicate_of is not null as linked from ingest where source_name = ?",
                "same-content-other-name.csv")).containsEntry("status", "duplicate").containsEntry("linked", true);
        assertThat(dangan.count("select count(*) from customer")).isEqualTo(customers);
        assertThat(dangan.count("select count(*) from change_log")).isEqualTo(changes);
        assertThat(dangan.count("select count(*) from preference p join customer c on c.id = p.customer_id where c.mobile = ?",
                "13811112222")).isEqualTo(1);
    }

    @Test
    void unreadableFilesAreSetAsideWithTheReason() throws Exception {
        dangan.drop("corrupt.xlsx", Path.of("test-data/bad/corrupt.xlsx"));
        dangan.drop("scan.pdf", Path.of("test-data/bad/not-a-spreadsheet.pdf"));
        dangan.drop("empty.csv", new byte[0]);

        for (String name : List.of("corrupt.xlsx", "scan.pdf", "empty.csv")) {
            Path kept = dangan.awaitHandled(name);
            assertThat(kept.toString()).contains("/failed/");
            Path error = kept.resolveSibling(kept.getFileName() + ".error.txt");
            assertThat(error).exists();
            assertThat(Files.readString(error)).contains("文件：" + name).contains("结果：未归档").contains("原因：");
            assertThat(dangan.row("select status, error from ingest where source_name = ?", name))
                    .containsEntry("status", "failed");
        }
        assertThat(Files.readAllBytes(dangan.awaitHandled("corrupt.xlsx")))
                .isEqualTo(Files.readAllBytes(Path.of("test-data/bad/corrupt.xlsx")));
        // the reasons in Chinese (dangan.locale's default), in the .error.txt and the ledger alike; never the library's words
        assertThat(Files.readString(errorOf("empty.csv"))).contains("原因：文件是空的（0 字节）");
        assertThat(Files.readString(errorOf("scan.pdf"))).contains("原因：这不是 CSV 或 XLSX 文件");
        assertThat(Files.readString(errorOf("corrupt.xlsx"))).contains("原因：XLSX 文件已损坏或不是 XLSX 文件").doesNotContain("Exception:");
        assertThat((String) dangan.row("select error from ingest where source_name = ?", "scan.pdf").get("error"))
                .startsWith("这不是 CSV 或 XLSX 文件");
    }

    @Test
    void aFileThatBreaksHalfwayFilesNothingAndTheNextFileStillGoesIn() throws Exception {
        StringBuilder csv = new StringBuilder("姓名,手机\n");
        for (int i = 0; i < 500; i++) csv.append("半途").append(i).append(",1390000").append(String.format("%04d", i)).append('\n');
        csv.append("坏行,\"13900009999\n"); // a quote that never closes
        dangan.drop("halfway.csv", csv.toString(), StandardCharsets.UTF_8);

        Path kept = dangan.awaitHandled("halfway.csv");
        assertThat(kept.toString()).contains("/failed/");
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"))).contains("第 502 行");
        assertThat(dangan.count("select count(*) from customer where name like '半途%'")).isZero();

        dangan.drop("after.csv", "姓名,手机\n后来,13900008888\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("after.csv").toString()).contains("/done/");
        assertThat(dangan.count("select count(*) from customer where mobile = ?", "13900008888")).isEqualTo(1);
    }

    @Test
    void aLineMatchingAnExistingArchiveUpdatesItAndRecordsTheChange() throws Exception {
        dangan.drop("monday.csv", "姓名,手机,邮箱,地址\n黄蓉,13922223333,,杭州\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("monday.csv");
        Map<String, Object> before = dangan.row("select id, archive_no from customer where mobile = ?", "13922223333");

        // the same customer, found by her mobile number written differently, with a new address and email
        dangan.drop("tuesday.csv", "name,mobile,email,address\n黄蓉, +86 139 2222 3333 ,huangrong@example.cn,嘉兴\n",
                StandardCharsets.UTF_8);
        dangan.awaitHandled("tuesday.csv");

        assertThat(dangan.count("select count(*) from customer where name = ?", "黄蓉")).isEqualTo(1);
        assertThat(dangan.row("select archive_no, address, email from customer where id = ?", before.get("id")))
                .containsEntry("archive_no", before.get("archive_no")).containsEntry("address", "嘉兴")
                .containsEntry("email", "huangrong@example.cn");
        assertThat(dangan.rows("select l.field, l.old_value, l.new_value, l.source_line, g.source_name from change_log l"
                + " join ingest g on g.id = l.source_ingest_id where l.customer_id = ? order by l.field", before.get("id")))
                .containsExactly(
                        Map.of("field", "address", "old_value", "杭州", "new_value", "嘉兴", "source_line", 2, "source_name", "tuesday.csv"),
                        row("email", null, "huangrong@example.cn", 2, "tuesday.csv"));
        assertThat(dangan.row("select rows_new, rows_updated from ingest where source_name = ?", "tuesday.csv"))
                .containsEntry("rows_new", 0).containsEntry("rows_updated", 1);
    }

    @Test
    void linesOfOneCustomerWithinAFileShareOneArchive() throws Exception {
        dangan.drop("week.csv", """
                姓名,手机,邮箱,消费金额,消费日期
                郭靖,13733334444,,200,2023-09-01
                郭靖,137-3333-4444,guojing@example.cn,300,2023-09-02
                郭靖,,guojing@example.cn,300,2023-09-02
                """, StandardCharsets.UTF_8);
        dangan.awaitHandled("week.csv");

        assertThat(dangan.count("select count(*) from customer where name = ?", "郭靖")).isEqualTo(1);
        assertThat(dangan.row("select rows_new, rows_updated, rows_duplicate from ingest where source_name = ?", "week.csv"))
                .containsEntry("rows_new", 1).containsEntry("rows_updated", 1).containsEntry("rows_duplicate", 1);
        assertThat(dangan.count("select count(*) from consumption c join customer u on u.id = c.customer_id where u.name = ?", "郭靖"))
                .isEqualTo(2);
    }

    @Test
    void sensitiveFieldsAreNotStoredInClear() throws Exception {
        dangan.drop("sensitive.csv", "姓名,手机,身份证号,过敏史\n欧阳锋,13655556666,110105194912310011,芒果过敏\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("sensitive.csv");

        String everything = dangan.rows("select c::text as t from customer c").toString()
                + dangan.rows("select h::text as t from health_fact h").toString()
                + dangan.rows("select i::text as t from intake_issue i").toString();
        assertThat(everything).contains("欧阳锋").doesNotContain("110105194912310011").doesNotContain("芒果");
    }

    private static String cells(CSVRecord record) {
        return String.join("|", record.values());
    }

    private static Path errorOf(String name) throws Exception {
        Path kept = dangan.awaitHandled(name);
        return kept.resolveSibling(kept.getFileName() + ".error.txt");
    }

    private static Map<String, Object> row(String field, Object old, Object now, int line, String source) {
        Map<String, Object> row = new java.util.HashMap<>();
        row.put("field", field);
        row.put("old_value", old);
        row.put("new_value", now);
        row.put("source_line", line);
        row.put("source_name", source);
        return row;
    }

    static byte[] xlsx(List<List<Object>> rows) throws Exception {
        try (XSSFWorkbook workbook = new XSSFWorkbook(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            Sheet sheet = workbook.createSheet("档案卡");
            CellStyle dateStyle = workbook.createCellStyle();
            dateStyle.setDataFormat(workbook.getCreationHelper().createDataFormat().getFormat("yyyy/m/d"));
            for (int r = 0; r < rows.size(); r++) {
                Row row = sheet.createRow(r);
                List<Object> values = rows.get(r);
                for (int c = 0; c < values.size(); c++) {
                    Object v = values.get(c);
                    if (v instanceof Double d) {
                        row.createCell(c).setCellValue(d);
                    } else if (v instanceof LocalDate d) {
                        var cell = row.createCell(c);
                        cell.setCellValue(d);
                        cell.setCellStyle(dateStyle);
                    } else if (!"".equals(v)) {
                        row.createCell(c).setCellValue(v.toString());
                    }
                }
            }
            workbook.write(out);
            return out.toByteArray();
        }
    }

    static Charset gbk() {
        return Charset.forName("GBK");
    }
}
