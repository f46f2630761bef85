package dangan.intake.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.poifs.crypt.EncryptionInfo;
import org.apache.poi.poifs.crypt.EncryptionMode;
import org.apache.poi.poifs.crypt.Encryptor;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("fast")
class RejectedFilesTest {

    @TempDir
    Path dir;

    private final SpreadsheetReader reader = new SpreadsheetReader(ReadLimits.defaults());
    private final RecordingHandler rows = new RecordingHandler();

    private void assertUnreadable(Path file, String... keyWords) {
        assertThatThrownBy(() -> reader.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .message().contains(keyWords);
        assertThat(rows.rows).isEmpty();
    }

    @Test
    void emptyFile() throws Exception {
        assertUnreadable(Files.write(dir.resolve("empty.csv"), new byte[0]), "file is empty");
    }

    @Test
    void missingFile() {
        assertUnreadable(dir.resolve("gone.csv"), "file not found");
    }

    @Test
    void pdf() throws Exception {
        byte[] pdf = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertUnreadable(Files.write(dir.resolve("scan.csv"), pdf), "not a CSV or XLSX file", "looks binary");
    }

    @Test
    void jpeg() throws Exception {
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0};
        assertUnreadable(Files.write(dir.resolve("photo.xlsx"), jpeg), "looks binary");
    }

    @Test
    void textWithNulBytes() throws Exception {
        byte[] bytes = "姓名,性别\n张三,男\n\0\0\0".getBytes(StandardCharsets.UTF_8);
        assertUnreadable(Files.write(dir.resolve("nul.csv"), bytes), "looks binary");
    }

    @Test
    void bareOle2Header() throws Exception {
        byte[] ole2 = Arrays.copyOf(new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1,
                (byte) 0xB1, 0x1A, (byte) 0xE1}, 1024);
        assertUnreadable(Files.write(dir.resolve("old.xls"), ole2),
                "legacy Excel 97-2003 (.xls) file: save it as .xlsx or CSV (UTF-8)");
    }

    @Test
    void realXlsWorkbook() throws Exception {
        Path file = dir.resolve("renamed.xlsx");
        try (HSSFWorkbook wb = new HSSFWorkbook(); OutputStream out = Files.newOutputStream(file)) {
            wb.createSheet("登记表").createRow(0).createCell(0).setCellValue("姓名");
            wb.write(out);
        }
        assertUnreadable(file, "legacy Excel 97-2003 (.xls)");
    }

    @Test
    void passwordProtectedXlsx() throws Exception {
        Path plain = XlsxReadingTest.registrationWorkbook(dir.resolve("plain.xlsx"));
        Path file = dir.resolve("secret.xlsx");
        try (POIFSFileSystem fs = new POIFSFileSystem()) {
            Encryptor encryptor = new EncryptionInfo(EncryptionMode.agile).getEncryptor();
            encryptor.confirmPassword("123456");
            try (OutputStream data = encryptor.getDataStream(fs)) {
                Files.copy(plain, data);
            }
            try (OutputStream out = Files.newOutputStream(file)) {
                fs.writeFilesystem(out);
            }
        }
        assertUnreadable(file, "password-protected", "remove the password");
    }

    @Test
    void tooLarge() throws Exception {
        Path file = Files.writeString(dir.resolve("big.csv"), "姓名\n张三\n李四\n");
        SpreadsheetReader tiny = new SpreadsheetReader(new ReadLimits(10, 500, 100));

        assertThatThrownBy(() -> tiny.read(file, rows))
                .isInstanceOf(UnreadableFileException.class)
                .hasMessageContaining("too large")
                .hasMessageContaining("limit is 10 bytes");
    }

    /** A minimal but valid XLSX package whose {@code bombEntry} is inflated to 50 MB of padding. */
    private Path bombWorkbook(String bombEntry) throws IOException {
        Path file = dir.resolve("bomb.xlsx");
        String contentTypes = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                + "</Types>";
        String rootRels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>"
                + "</Relationships>";
        String workbook = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
                + " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                + "%s<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
        String workbookRels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                + "</Relationships>";
        String sheet = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
                + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c></row>%s</sheetData></worksheet>";
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            put(zip, "[Content_Types].xml", contentTypes, false);
            put(zip, "_rels/.rels", rootRels, false);
            put(zip, "xl/workbook.xml", workbook, bombEntry.equals("xl/workbook.xml"));
            put(zip, "xl/_rels/workbook.xml.rels", workbookRels, false);
            put(zip, "xl/worksheets/sheet1.xml", sheet, bombEntry.equals("xl/worksheets/sheet1.xml"));
        }
        return file;
    }

    private static void put(ZipOutputStream zip, String name, String template, boolean bomb) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        int at = template.indexOf("%s");
        String before = at < 0 ? template : template.substring(0, at);
        String after = at < 0 ? "" : template.substring(at + 2);
        zip.write(before.getBytes(StandardCharsets.UTF_8));
        if (bomb) {
            byte[] padding = new byte[1 << 20];
            Arrays.fill(padding, (byte) ' ');
            for (int i = 0; i < 50; i++) {
                zip.write(padding); // whitespace between elements: valid XML, compresses ~1000:1
            }
        }
        zip.write(after.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    @ParameterizedTest
    @ValueSource(strings = {"xl/worksheets/sheet1.xml", "xl/workbook.xml"})
    void zipBomb(String bombEntry) throws Exception {
        Path file = bombWorkbook(bombEntry);
        assertThat(Files.size(file)).isLessThan(200_000);

        assertUnreadable(file, "zip bomb", "compression ratio too high");
    }

    @Test
    void zipBombWithoutCentralDirectory() throws Exception {
        Path file = bombWorkbook("xl/worksheets/sheet1.xml");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 200)); // POI falls back to streaming the zip

        assertUnreadable(file, "zip bomb");
    }

    @Test
    void theZipBombFixtureIsOtherwiseAValidWorkbook() throws Exception {
        Path file = bombWorkbook("none");

        reader.read(file, rows);

        assertThat(rows.header).containsExactly("姓名");
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 30, 50, 70, 90, 99})
    void truncatedXlsx(int percent) throws Exception {
        Path whole = XlsxReadingTest.registrationWorkbook(dir.resolve("whole.xlsx"));
        byte[] bytes = Files.readAllBytes(whole);
        Path half = Files.write(dir.resolve("cut.xlsx"), Arrays.copyOf(bytes, bytes.length * percent / 100));

        assertUnreadable(half, "corrupt or not an XLSX file");
    }

    /** Issue 10: the text of a corrupt XLSX or an unreadable file is ours (what, why), never the library's message. */
    @Test
    void aCorruptXlsxOrAnUnreadableFileIsSaidInOurWordsNeverTheLibrarys() throws Exception {
        Path whole = XlsxReadingTest.registrationWorkbook(dir.resolve("whole-2.xlsx"));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut-2.xlsx"), Arrays.copyOf(bytes, bytes.length / 2));
        Path folder = Files.createDirectories(dir.resolve("a-folder.csv")); // reading it fails in the JDK
        for (Path file : List.of(cut, folder)) {
            Throwable thrown = catchThrowable(() -> reader.read(file, rows));
            assertThat(thrown).isInstanceOf(UnreadableFileException.class).hasMessageContaining(file == cut ? "XLSX" : "cannot be read");
            for (Throwable cause = thrown.getCause(); cause != null; cause = cause.getCause()) {
                if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                    assertThat(thrown.getMessage()).as("not the library's words").doesNotContain(cause.getMessage());
                }
            }
            assertThat(thrown.getMessage()).doesNotContain(dir.toString());
        }
    }

    @Test
    void zipWithoutWorkbook() throws Exception {
        Path file = dir.resolve("photos.xlsx");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("hello".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertUnreadable(file, "not an XLSX file");
    }

    @Test
    void wordDocumentInsteadOfWorkbook() throws Exception {
        Path file = dir.resolve("letter.xlsx");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            put(zip, "[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
                    + "</Types>", false);
            put(zip, "_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
                    + "</Relationships>", false);
            put(zip, "word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"/>", false);
        }
        assertUnreadable(file, "not an XLSX file", "a different kind of document");
    }
}
