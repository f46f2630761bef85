package dangan.mail;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How a mail body becomes one row, and how attachment names are judged. */
@Tag("fast")
class MailPartsTest {

    @Test
    void bodyLinesBecomeHeaderAndRow() {
        BodyFields fields = BodyFields.parse("""
                您好，
                姓名: 张三
                手机：13800138000
                偏好 : 靠窗座位
                偏好: 安静
                Allergies:peanuts
                请查收 http://example.cn
                > 姓名: 旧的
                -- 
                电话: 0755-1234567
                """);
        assertThat(fields.names()).containsExactly("姓名", "手机", "偏好", "Allergies");
        assertThat(fields.values()).containsExactly("张三", "13800138000", "靠窗座位；安静", "peanuts");
    }

    @Test
    void readingStopsAtAQuotedEarlierMail() {
        BodyFields fields = BodyFields.parse("姓名: 李四\n手机: 13900139000\n\nOn Mon, 1 Sep 2025, Wang <w@example.cn> wrote:\n姓名: 王五\n");
        assertThat(fields.values()).containsExactly("李四", "13900139000");
        assertThat(BodyFields.parse("在 2025年9月1日 王五 写道：\n姓名: 王五").isEmpty()).isTrue();
        assertThat(BodyFields.parse("Hello,\nsee you.\n").isEmpty()).isTrue();
        assertThat(BodyFields.parse(null).isEmpty()).isTrue();
    }

    @Test
    void attachmentNamesWithFolderPartsAreRefusedAndShownSafely() {
        for (String hostile : List.of("../../etc/passwd.csv", "..\\..\\x.csv", "/etc/passwd.csv", "C:\\temp\\a.csv", "..")) {
            AttachmentName name = AttachmentName.of(hostile, 1);
            assertThat(name.hasPathParts()).as(hostile).isTrue();
            assertThat(name.safe()).as(hostile).doesNotContain("/").doesNotContain("\\").doesNotStartWith(".");
        }
        AttachmentName plain = AttachmentName.of("客史 2025.CSV", 1);
        assertThat(plain.hasPathParts()).isFalse();
        assertThat(plain.safe()).isEqualTo("客史 2025.CSV");
        assertThat(plain.extension()).isEqualTo("csv");
        assertThat(AttachmentName.of(null, 3).safe()).isEqualTo("attachment-3");
        assertThat(AttachmentName.of("a\r\nb.csv", 1).safe()).isEqualTo("a_b.csv");
    }
}
