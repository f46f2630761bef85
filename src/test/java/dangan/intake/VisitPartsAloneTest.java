package dangan.intake;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing is lost silently: a staff member, branch, payment or place on a line with no visit date, amount,
 * service or contract makes no visit (D-2), so the line is filed with a warning for each such cell.
 */
@Tag("fast")
class VisitPartsAloneTest {

    private static final ColumnMap COLUMNS = ColumnMap.load(Path.of("config", "columns.properties"));
    private static final ColumnMap.Layout LAYOUT =
            COLUMNS.layout(List.of("姓名", "手机号码", "消费日期", "服务人员", "门店", "支付方式"));

    @Test
    void staffAndBranchWithoutAVisitAreWarnedNotDropped() {
        RowNormaliser.Result result = new RowNormaliser(LAYOUT, Messages.of(Language.ZH))
                .normalise(2, List.of("张伟", "13800138000", "", "李娜", "福田店", ""));

        assertThat(result.row().visit()).isNull();
        assertThat(result.issues()).extracting(RowIssue::column, RowIssue::value, RowIssue::severity).containsExactly(
                org.assertj.core.groups.Tuple.tuple("服务人员", "李娜", RowIssue.Severity.WARNING),
                org.assertj.core.groups.Tuple.tuple("门店", "福田店", RowIssue.Severity.WARNING));
        assertThat(result.issues().get(0).reason()).startsWith("未记入").contains("“服务人员”");
    }

    @Test
    void withAVisitDateTheyAreTheVisitsAndNoWarning() {
        RowNormaliser.Result result = new RowNormaliser(LAYOUT, Messages.of(Language.EN))
                .normalise(2, List.of("张伟", "13800138000", "2026-11-30", "李娜", "福田店", "现金"));

        assertThat(result.issues()).isEmpty();
        assertThat(result.row().visit().staff()).isEqualTo("李娜");
        assertThat(result.row().visit().branch()).isEqualTo("福田店");
        assertThat(result.row().visit().payment()).isEqualTo("现金");
    }
}
