package dangan.intake.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("fast")
class DetectionTest {

    @TempDir
    Path dir;

    @Test
    void fileKinds() {
        assertThat(FileKind.of(new byte[0])).isEqualTo(FileKind.EMPTY);
        assertThat(FileKind.of(new byte[] {'P', 'K', 3, 4, 0})).isEqualTo(FileKind.ZIP);
        assertThat(FileKind.of(new byte[] {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0})).isEqualTo(FileKind.OLE2);
        assertThat(FileKind.of(new byte[] {(byte) 0xFF, (byte) 0xFE, 'a', 0})).isEqualTo(FileKind.TEXT);
        assertThat(FileKind.of("姓名,性别\n".getBytes(StandardCharsets.UTF_8))).isEqualTo(FileKind.TEXT);
        assertThat(FileKind.of("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(FileKind.BINARY);
        assertThat(FileKind.of(new byte[] {'a', 0, 'b'})).isEqualTo(FileKind.BINARY);
    }

    @Test
    void encodings() throws Exception {
        Path utf8 = Files.writeString(dir.resolve("a.csv"), "姓名\n张三\n");
        Path gbk = Files.write(dir.resolve("b.csv"), "姓名\n张三\n".getBytes(Charset.forName("GBK")));
        Path ascii = Files.writeString(dir.resolve("c.csv"), "name\nzhang\n");
        Path bom = Files.write(dir.resolve("d.csv"), new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a'});

        assertThat(TextEncoding.detect(utf8)).isEqualTo(TextEncoding.UTF_8);
        assertThat(TextEncoding.detect(gbk)).isEqualTo(TextEncoding.GB18030);
        assertThat(TextEncoding.detect(ascii)).isEqualTo(TextEncoding.UTF_8);
        assertThat(TextEncoding.detect(bom)).isEqualTo(TextEncoding.UTF_8_BOM);
    }

    @Test
    void delimiters() throws Exception {
        assertThat(Delimiters.sniff(new StringReader("a,b,c\n1\t2\t3\t4\n"))).isEqualTo(',');
        assertThat(Delimiters.sniff(new StringReader("\n\t\t\na\tb,c\tc\n"))).isEqualTo('\t');
        assertThat(Delimiters.sniff(new StringReader("a;b;c"))).isEqualTo(';');
        assertThat(Delimiters.sniff(new StringReader("\"a;b;c\",d"))).isEqualTo(',');
        assertThat(Delimiters.sniff(new StringReader(""))).isEqualTo(',');
    }
}
