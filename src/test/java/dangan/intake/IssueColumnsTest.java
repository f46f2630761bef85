package dangan.intake;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How a merge warning names its column: as the file did, else as people name the field (issue 12). */
@Tag("fast")
class IssueColumnsTest {

    private static final ColumnMap COLUMNS = ColumnMap.load(Path.of("config", "columns.properties"));
    private static final Messages ZH = Messages.of(Language.ZH);

    @Test
    void aFieldIsNamedByTheFilesOwnHeadingElseByItsChineseName() {
        ColumnMap.Layout layout = COLUMNS.layout(List.of("客户姓名", "手机号码", "E-mail", "过敏史", "会员等级"));
        assertThat(IssueColumns.heading("email", layout, ZH)).isEqualTo("E-mail");
        assertThat(IssueColumns.heading("health:allergy", layout, ZH)).isEqualTo("过敏史");
        assertThat(IssueColumns.heading("extra.会员等级", layout, ZH)).isEqualTo("会员等级");
        // a field the file had no column of: the name people read, in the configured language
        assertThat(IssueColumns.heading("id_number", layout, ZH)).isEqualTo("身份证号");
        assertThat(IssueColumns.heading("health:note", layout, Messages.of(Language.EN))).isEqualTo("health");
        assertThat(IssueColumns.heading("birth_date", null, ZH)).isEqualTo("出生日期");
    }
}
