package dangan.intake;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reject, check and revert reports hold customers' values: only the service's account reads them. */
@Tag("fast")
class ReportFilesTest {

    @Test
    void aReportIsOwnerOnlyAndReplacesTheLastOneWhole(@TempDir Path folder) throws Exception {
        Path first = RejectReport.writeCsv(folder, "f.csv.check.csv", List.of("line", "value"), csv -> csv.printRecord(2, "13800138000"));
        Path again = RejectReport.writeCsv(folder, "f.csv.check.csv", List.of("line", "value"), csv -> csv.printRecord(3, "杭州市"));

        assertThat(again).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(again))).isEqualTo("rw-------");
        assertThat(Files.readString(again, StandardCharsets.UTF_8)).isEqualTo("\uFEFFline,value\r\n3,杭州市\r\n");
        try (var left = Files.list(folder)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("f.csv.check.csv");
        }
    }
}
