package dangan.intake.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.CreationHelper;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("fast")
class XlsxReadingTest {

    @TempDir
    Path dir;

    private final SpreadsheetReader reader = new SpreadsheetReader(ReadLimits.defaults());
    private final RecordingHandler rows = new RecordingHandler();

    /** The registration workbook: first sheet "登记表", second sheet "备注" (ignored). */
    static Path registrationWorkbook(Path file) throws IOException {
        try (Workbook wb = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(file)) {
            CreationHelper help = wb.getCreationHelper();
            CellStyle date = wb.createCellStyle();
            date.setDataFormat(help.createDataFormat().getFormat("yyyy-mm-dd"));
            CellStyle dateTime = wb.createCellStyle();
            dateTime.setDataFormat(help.createDataFormat().getFormat("yyyy/m/d h:mm"));
            CellStyle builtinDate = wb.createCellStyle();
            builtinDate.setDataFormat((short) 14); // m/d/yy, shown per locale by Excel
            CellStyle chineseDate = wb.createCellStyle();
            chineseDate.setDataFormat(help.createDataFormat().getFormat("yyyy\"年\"m\"月\"d\"日\""));
            CellStyle padded = wb.createCellStyle();
            padded.setDataFormat(help.createDataFormat().getFormat("000000"));

            Sheet sheet = wb.createSheet("登记表");
            Row header = sheet.createRow(0);
            String[] names = {" 姓名 ", "性别", "手机号码", "出生日期", "身份证号", "邮箱", "邮编"};
            for (int i = 0; i < names.length; i++) {
                header.createCell(i).setCellValue(names[i]);
            }

            Row r2 = sheet.createRow(1);
            r2.createCell(0).setCellValue("张三");
            r2.createCell(1).setCellValue("男");
            r2.createCell(2).setCellValue(13800138000d);
            r2.createCell(3).setCellValue(LocalDate.of(1990, 5, 12));
            r2.getCell(3).setCellStyle(date);
            r2.createCell(4).setCellValue("110101199005120011");
            r2.createCell(5).setCellValue("zhangsan@example.com");
            r2.createCell(6).setCellValue(12345);
            r2.getCell(6).setCellStyle(padded);

            Row r3 = sheet.createRow(2); // 性别 missing (middle), 邮箱 and 邮编 missing (trailing)
            r3.createCell(0).setCellValue("李四");
            r3.createCell(2).setCellValue(13912345678d);
            r3.createCell(3).setCellValue(LocalDateTime.of(1985, 11, 3, 14, 30));
            r3.getCell(3).setCellStyle(dateTime);
            r3.createCell(4).setCellValue("31010119851103002X");

            // row 4 does not exist at all; row 5 exists but only holds blanks
            Row r5 = sheet.createRow(4);
            r5.createCell(0).setCellValue("  ");
            r5.createCell(3).setCellStyle(date);

            Row r6 = sheet.createRow(5);
            r6.createCell(0).setCellValue("王五");
            r6.createCell(1).setCellValue("女");
            r6.createCell(2).setCellValue(2.5);
            r6.createCell(3).setCellValue(LocalDate.of(2001, 1, 31));
            r6.getCell(3).setCellStyle(builtinDate);
            r6.createCell(4).setCellValue(LocalDate.of(2002, 2, 28));
            r6.getCell(4).setCellStyle(chineseDate);
            r6.createCell(5).setCellValue(true);
            r6.createCell(6).setCellValue(100000);

            Sheet second = wb.createSheet("备注");
            second.createRow(0).createCell(0).setCellValue("不应读取");
            wb.write(out);
        }
        return file;
    }

    @Test
    void readsTheFirstSheet() throws Exception {
        ReadSummary summary = reader.read(registrationWorkbook(dir.resolve("登记.xlsx")), rows);

        assertThat(summary).isEqualTo(new ReadSummary("xlsx", "xlsx", 2, "登记表"));
        assertThat(rows.header).containsExactly("姓名", "性别", "手机号码", "出生日期", "身份证号", "邮箱", "邮编");
        assertThat(rows.lineNumbers()).containsExactly(2, 3, 6);
        assertThat(rows.row(0)).containsExactly("张三", "男", "13800138000", "1990-05-12", "110101199005120011",
                "zhangsan@example.com", "012345");
        assertThat(rows.row(1)).containsExactly("李四", "", "13912345678", "1985-11-03 14:30", "31010119851103002X",
                "", "");
        assertThat(rows.row(2)).containsExactly("王五", "女", "2.5", "2001-01-31", "2002-02-28", "TRUE", "100000");
    }

    @Test
    void formatIsJudgedByContentNotName() throws Exception {
        ReadSummary summary = reader.read(registrationWorkbook(dir.resolve("upload.csv")), rows);

        assertThat(summary.format()).isEqualTo("xlsx");
    }

    @Test
    void readsStreamingWorkbooksWithInlineStrings() throws Exception {
        Path file = dir.resolve("sxssf.xlsx");
        try (SXSSFWorkbook wb = new SXSSFWorkbook(100); OutputStream out = Files.newOutputStream(file)) {
            Sheet sheet = wb.createSheet("名单");
            Row header = sheet.createRow(0);
            header.createCell(0).setCellValue("姓名");
            header.createCell(1).setCellValue("手机号码");
            for (int i = 1; i <= 1000; i++) {
                Row row = sheet.createRow(i);
                row.createCell(0).setCellValue("客户" + i);
                row.createCell(1).setCellValue(13800000000d + i);
            }
            wb.write(out);
        }

        reader.read(file, rows);

        assertThat(rows.rows).hasSize(1000);
        assertThat(rows.rows.get(999)).isEqualTo(new RecordingHandler.Row(1001, List.of("客户1000", "13800001000")));
    }

    @Test
    void headerMayStartBelowBlankRows() throws Exception {
        Path file = dir.resolve("offset.xlsx");
        try (Workbook wb = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(file)) {
            Sheet sheet = wb.createSheet("Sheet1");
            Row header = sheet.createRow(2);
            header.createCell(1).setCellValue("姓名");
            header.createCell(2).setCellValue("性别");
            Row row = sheet.createRow(3);
            row.createCell(1).setCellValue("张三");
            wb.write(out);
        }

        ReadSummary summary = reader.read(file, rows);

        assertThat(summary.blankRowsSkipped()).isEqualTo(2);
        assertThat(rows.header).containsExactly("", "姓名", "性别");
        assertThat(rows.rows).containsExactly(new RecordingHandler.Row(4, List.of("", "张三", "")));
    }

    @Test
    void emptySheetMeansNoHeader() throws Exception {
        Path file = dir.resolve("empty-sheet.xlsx");
        try (Workbook wb = new XSSFWorkbook(); OutputStream out = Files.newOutputStream(file)) {
            wb.createSheet("空");
            wb.createSheet("有数据").createRow(0).createCell(0).setCellValue("姓名");
            wb.write(out);
        }

        assertThatThrownBy(() -> reader.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("no header row")
                .hasMessageContaining("the first sheet is empty");
    }

    @Test
    void tooManyColumnsNamesRowAndColumn() throws Exception {
        Path file = registrationWorkbook(dir.resolve("wide.xlsx"));
        SpreadsheetReader narrow = new SpreadsheetReader(new ReadLimits(1 << 20, 3, 100));

        assertThatThrownBy(() -> narrow.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("row 1, column D")
                .hasMessageContaining("more than 3 columns");
    }

    @Test
    void tooLongCellNamesRowAndColumn() throws Exception {
        Path file = registrationWorkbook(dir.resolve("long.xlsx"));
        SpreadsheetReader small = new SpreadsheetReader(new ReadLimits(1 << 20, 10, 18));

        assertThatThrownBy(() -> small.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("row 2, column F")
                .hasMessageContaining("20 characters");
    }

    @Test
    void handlerExceptionsPropagateUnchanged() throws Exception {
        Path file = registrationWorkbook(dir.resolve("ok.xlsx"));
        IllegalStateException boom = new IllegalStateException("duplicate customer");
        RowHandler failing = RecordingHandler.throwingAtRow(boom);

        assertThatThrownBy(() -> reader.read(file, failing)).isSameAs(boom);
    }

    @Test
    void headerExceptionsPropagateUnchanged() throws Exception {
        Path file = registrationWorkbook(dir.resolve("ok.xlsx"));
        IllegalArgumentException boom = new IllegalArgumentException("unknown column");
        RowHandler failing = RecordingHandler.throwingAtHeader(boom);

        assertThatThrownBy(() -> reader.read(file, failing)).isSameAs(boom);
    }
}
