package dangan.i18n;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A command's table: headings from the bundle, columns aligned as a terminal shows Chinese (two columns a character). */
@Tag("fast")
class TextTableTest {

    @Test
    void columnsLineUpByDisplayWidthWithChineseHeadingsAndCells() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TextTable.of(Messages.of(Language.ZH), "cli.column.id", "cli.column.name", "cli.column.status")
                .row("#1", "王小芳", "待决定").row("#12", "li.na", null).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).containsExactly(
                "编号  姓名    状态",
                "#1    王小芳  待决定",
                "#12   li.na   -");
        assertThat(TextTable.width("王小芳")).isEqualTo(6);
        assertThat(TextTable.width("li.na")).isEqualTo(5);
    }

    @Test
    void englishHeadingsAndARowOfTheWrongSizeIsRefused() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TextTable table = TextTable.of(Messages.of(Language.EN), "cli.column.id", "cli.column.name");
        table.row(7, "Zhang Wei").print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("ID  NAME\n7   Zhang Wei\n");
        assertThatThrownBy(() -> table.row("only one")).hasMessageContaining("1 cells").hasMessageContaining("2 columns");
    }
}
