package dangan.intake;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.privacy.SensitiveFields;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The staging says that no two lines share a key only when none does (issue 14: the merge then opens each line's archive
 * without grouping the keys): lines as the normaliser leaves them — a mobile, an email written in another case, an ID
 * number (by its blind index) on two lines each make the file's keys not distinct; a mobile whose text is another
 * line's email does not; past the bound the answer is "not distinct".
 */
@Tag("fast")
class StagedKeysTest {

    private static final ColumnMap COLUMNS = ColumnMap.load(Path.of("config", "columns.properties"));
    private static final SensitiveFields SENSITIVE = new SensitiveFields(Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY));
    private static final List<String> HEADINGS = List.of("姓名", "手机号码", "邮箱", "身份证号");

    @Test
    void aKeyOnTwoLinesIsSeenWhateverKindItIs() throws Exception {
        List<String> first = List.of("张伟", "13800138000", "zhang.wei@example.cn", "11010519491231002X");
        assertThat(distinct(first, List.of("李娜", "13900139000", "li.na@example.cn", "440304199001010019"))).isTrue();
        assertThat(distinct(first, List.of("李娜", "13800138000", "", ""))).as("the same mobile").isFalse();
        assertThat(distinct(first, List.of("李娜", "13900139000", "Zhang.Wei@Example.CN", ""))).as("the same email, in capitals").isFalse();
        assertThat(distinct(first, List.of("李娜", "13900139000", "", "11010519491231002x"))).as("the same ID number").isFalse();
        assertThat(distinct(List.of("张伟", "13800138000", "", ""), List.of("李娜", "13900139000", "", "")))
                .as("empty cells are no key").isTrue();
    }

    @Test
    void keysOfDifferentKindsAreNotTheSameKeyAndTheBoundEndsTheCount() {
        StagedKeys keys = new StagedKeys(3);
        keys.mobile("13800138000");
        keys.email("13800138000");
        keys.idHash(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertThat(keys.distinct()).isTrue();
        keys.email("li.na@example.cn"); // the fourth key: past the bound, no longer counted
        assertThat(keys.distinct()).isFalse();
        keys.mobile("13900139000");
        assertThat(keys.distinct()).isFalse();
    }

    @Test
    void theLineNumbersSkippedBetweenStagedLinesAreKeptWhileTheyAreInOrder() throws Exception {
        ColumnMap.Layout layout = COLUMNS.layout(HEADINGS);
        RowNormaliser normaliser = new RowNormaliser(layout, Messages.of(Language.ZH));
        StagingWriter writer = new StagingWriter(new StringWriter(), 1, SENSITIVE, layout);
        for (int line : new int[]{2, 3, 6, 8}) {
            writer.write(normaliser.normalise(line, List.of("客户" + line, "1380013800" + line, "", "")).row());
        }
        assertThat(writer.lineGaps()).containsExactly(4, 5, 7);
        writer.write(normaliser.normalise(5, List.of("客户5", "13800138005", "", "")).row()); // out of order: not known any more
        assertThat(writer.lineGaps()).isNull();
        assertThat(writer.distinctKeys()).isTrue();
    }

    /** Whether the staging writer found the keys of these two lines distinct. */
    private static boolean distinct(List<String> first, List<String> second) throws Exception {
        ColumnMap.Layout layout = COLUMNS.layout(HEADINGS);
        RowNormaliser normaliser = new RowNormaliser(layout, Messages.of(Language.ZH));
        StagingWriter writer = new StagingWriter(new StringWriter(), 1, SENSITIVE, layout);
        int line = 2;
        for (List<String> cells : List.of(first, second)) {
            RowNormaliser.Result result = normaliser.normalise(line++, cells);
            assertThat(result.rejected()).as(cells.toString()).isFalse();
            writer.write(result.row());
        }
        writer.close();
        return writer.distinctKeys();
    }
}
