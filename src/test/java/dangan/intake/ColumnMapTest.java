package dangan.intake;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The heading aliases of a columns file are read once while the file stays as it is, and again when it changes. */
@Tag("fast")
class ColumnMapTest {

    @Test
    void aColumnsFileIsReadOnceUntilItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("columns.properties");
        Files.writeString(file, "mobile=手機,电话\n", StandardCharsets.UTF_8);
        ColumnMap first = ColumnMap.load(file);
        assertThat(ColumnMap.load(file)).isSameAs(first);
        assertThat(first.layout(List.of("電話")).has(Field.MOBILE)).isTrue(); // Traditional as Simplified

        Files.writeString(file, "mobile=联系电话\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        ColumnMap changed = ColumnMap.load(file);
        assertThat(changed).isNotSameAs(first);
        assertThat(changed.layout(List.of("电话")).has(Field.MOBILE)).isFalse();
        assertThat(changed.layout(List.of("聯繫電話")).has(Field.MOBILE)).isTrue();
    }
}
