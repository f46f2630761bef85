package dangan.intake.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("fast")
class CsvReadingTest {

    static final List<String> HEADER = List.of("姓名", "性别", "手机号码", "出生日期", "身份证号", "邮箱");
    static final String CSV = String.join("\n",
            "姓名,性别,手机号码,出生日期,身份证号,邮箱",
            "张三,男,13800138000,1990-05-12,110101199005120011,zhangsan@example.com",
            "李四,女,13912345678,1985-11-03,31010119851103002X,lisi@example.cn",
            "");

    @TempDir
    Path dir;

    private final SpreadsheetReader reader = new SpreadsheetReader(ReadLimits.defaults());
    private final RecordingHandler rows = new RecordingHandler();

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path write(String name, String text, Charset charset) throws IOException {
        return write(name, text.getBytes(charset));
    }

    private void assertChineseRows() {
        assertThat(rows.headerCalls).isEqualTo(1);
        assertThat(rows.header).containsExactlyElementsOf(HEADER);
        assertThat(rows.lineNumbers()).containsExactly(2, 3);
        assertThat(rows.row(0)).containsExactly("张三", "男", "13800138000", "1990-05-12", "110101199005120011",
                "zhangsan@example.com");
        assertThat(rows.row(1)).containsExactly("李四", "女", "13912345678", "1985-11-03", "31010119851103002X",
                "lisi@example.cn");
    }

    @Test
    void readsUtf8() throws Exception {
        ReadSummary summary = reader.read(write("登记.csv", CSV, StandardCharsets.UTF_8), rows);

        assertThat(summary).isEqualTo(new ReadSummary("csv", "UTF-8", 0, null));
        assertChineseRows();
    }

    @Test
    void readsUtf8WithBomAndRemovesTheBom() throws Exception {
        ReadSummary summary = reader.read(write("bom.csv", "\uFEFF" + CSV, StandardCharsets.UTF_8), rows);

        assertThat(summary.encoding()).isEqualTo("UTF-8 (BOM)");
        assertThat(rows.header.get(0)).isEqualTo("姓名");
        assertChineseRows();
    }

    @Test
    void readsGbkAsGb18030() throws Exception {
        ReadSummary summary = reader.read(write("excel-cn.csv", CSV.replace("\n", "\r\n"), Charset.forName("GBK")), rows);

        assertThat(summary.encoding()).isEqualTo("GB18030");
        assertChineseRows();
    }

    @Test
    void readsExcelUnicodeTextUtf16LeTabSeparated() throws Exception {
        String tsv = CSV.replace(',', '\t').replace("\n", "\r\n");
        byte[] body = tsv.getBytes(StandardCharsets.UTF_16LE);
        byte[] bytes = new byte[body.length + 2];
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xFE;
        System.arraycopy(body, 0, bytes, 2, body.length);

        ReadSummary summary = reader.read(write("unicode.txt", bytes), rows);

        assertThat(summary.encoding()).isEqualTo("UTF-16LE (BOM)");
        assertChineseRows();
    }

    @Test
    void readsUtf16BeWithBom() throws Exception {
        ReadSummary summary = reader.read(write("be.csv", "\uFEFF" + CSV, StandardCharsets.UTF_16BE), rows);

        assertThat(summary.encoding()).isEqualTo("UTF-16BE (BOM)");
        assertChineseRows();
    }

    @Test
    void detectsTabSeparatedUtf8() throws Exception {
        reader.read(write("tabs.tsv", CSV.replace(',', '\t'), StandardCharsets.UTF_8), rows);

        assertChineseRows();
    }

    @Test
    void detectsSemicolons() throws Exception {
        String text = "姓名;备注\n张三;\"a,b\"\n";
        reader.read(write("semi.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.header).containsExactly("姓名", "备注");
        assertThat(rows.row(0)).containsExactly("张三", "a,b");
    }

    @Test
    void commaStaysTheDelimiterWhenCellsContainTabsInQuotes() throws Exception {
        String text = "姓名,备注\n张三,\"a\tb\tc\"\n";
        reader.read(write("quoted-tabs.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.row(0)).containsExactly("张三", "a\tb\tc");
    }

    @Test
    void multiLineQuotedCellKeepsLaterLineNumbersRight() throws Exception {
        String text = String.join("\n",
                "姓名,地址,备注",
                "张三,\"北京市",
                "朝阳区\",\"第一行",
                "第二行",
                "第三行\"",
                "李四,上海市,",
                "王五,\"广州\",\"\"\"VIP\"\"\"",
                "");
        reader.read(write("multiline.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.lineNumbers()).containsExactly(2, 6, 7);
        assertThat(rows.row(0)).containsExactly("张三", "北京市\n朝阳区", "第一行\n第二行\n第三行");
        assertThat(rows.row(1)).containsExactly("李四", "上海市", "");
        assertThat(rows.row(2)).containsExactly("王五", "广州", "\"VIP\"");
    }

    @Test
    void multiLineQuotedCellWithCrLf() throws Exception {
        String text = "姓名,地址\r\n张三,\"北京市\r\n朝阳区\"\r\n李四,上海市\r\n";
        reader.read(write("crlf.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.lineNumbers()).containsExactly(2, 4);
        assertThat(rows.row(0)).containsExactly("张三", "北京市\r\n朝阳区");
    }

    @Test
    void skipsAndCountsBlankRows() throws Exception {
        String text = String.join("\n",
                "",
                "  ",
                "姓名,性别",
                "张三,男",
                "",
                ",,",
                " ,\u3000",
                "李四,女",
                "",
                "");
        ReadSummary summary = reader.read(write("blanks.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.header).containsExactly("姓名", "性别");
        assertThat(rows.lineNumbers()).containsExactly(4, 8);
        assertThat(summary.blankRowsSkipped()).isEqualTo(6);
    }

    @Test
    void stripsHeaderCellsButNotRowCells() throws Exception {
        String text = " 姓名 ,\u3000性别\u3000\n 张三 ,男\n";
        reader.read(write("spaces.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.header).containsExactly("姓名", "性别");
        assertThat(rows.row(0)).containsExactly(" 张三 ", "男");
    }

    @Test
    void toleratesStrayQuotes() throws Exception {
        String text = "姓名,备注\n王\"小\"明,ok\n\"张三\"丰,x\n";
        reader.read(write("stray.csv", text, StandardCharsets.UTF_8), rows);

        assertThat(rows.row(0)).containsExactly("王\"小\"明", "ok");
        assertThat(rows.row(1).get(0)).contains("张三").contains("丰");
        assertThat(rows.lineNumbers()).containsExactly(2, 3);
    }

    @Test
    void unterminatedQuoteNamesTheLine() throws Exception {
        String text = "姓名,备注\n张三,ok\n李四,\"没有结束\n王五,x\n";
        Path file = write("broken.csv", text, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> reader.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("line 3")
                .hasMessageContaining("unterminated quote");
        assertThat(rows.lineNumbers()).containsExactly(2);
    }

    @Test
    void unterminatedQuoteInALargeFileStopsEarly() throws Exception {
        StringBuilder text = new StringBuilder("姓名,备注\n张三,\"oops\n");
        for (int i = 0; i < 2_000; i++) {
            text.append("行").append(i).append(",some text\n");
        }
        Path file = write("runaway.csv", text.toString(), StandardCharsets.UTF_8);
        SpreadsheetReader strict = new SpreadsheetReader(new ReadLimits(1 << 20, 4, 100));

        assertThatThrownBy(() -> strict.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("never closed");
    }

    @Test
    void tooManyColumnsNamesLineAndColumn() throws Exception {
        Path file = write("wide.csv", "a,b,c\n1,2,3,4\n", StandardCharsets.UTF_8);
        SpreadsheetReader narrow = new SpreadsheetReader(new ReadLimits(1 << 20, 3, 100));

        assertThatThrownBy(() -> narrow.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("line 2, column 4")
                .hasMessageContaining("more than 3 columns");
    }

    @Test
    void emptyCellsBeyondTheColumnLimitAreDropped() throws Exception {
        Path file = write("trailing.csv", "a,b,c,,,\n1,2,3,,,\n", StandardCharsets.UTF_8);
        SpreadsheetReader narrow = new SpreadsheetReader(new ReadLimits(1 << 20, 3, 100));

        narrow.read(file, rows);

        assertThat(rows.header).containsExactly("a", "b", "c");
        assertThat(rows.row(0)).containsExactly("1", "2", "3");
    }

    @Test
    void tooLongCellNamesLineAndColumn() throws Exception {
        Path file = write("long.csv", "a,b\n1,2\n3,12345678901\n", StandardCharsets.UTF_8);
        SpreadsheetReader small = new SpreadsheetReader(new ReadLimits(1 << 20, 10, 10));

        assertThatThrownBy(() -> small.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("line 3, column 2")
                .hasMessageContaining("11 characters");
    }

    @Test
    void onlyBlankLinesMeansNoHeader() throws Exception {
        Path file = write("blank.csv", "\n  \n,,\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> reader.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("no header row");
    }

    @Test
    void handlerExceptionsPropagateUnchanged() throws Exception {
        Path file = write("ok.csv", CSV, StandardCharsets.UTF_8);
        UncheckedIOException boom = new UncheckedIOException(new IOException("database down"));
        RowHandler failing = RecordingHandler.throwingAtRow(boom);

        assertThatThrownBy(() -> reader.read(file, failing)).isSameAs(boom);
    }

    @Test
    void formatIsJudgedByContentNotName() throws Exception {
        ReadSummary summary = reader.read(write("export.xlsx", CSV, StandardCharsets.UTF_8), rows);

        assertThat(summary.format()).isEqualTo("csv");
    }
}
