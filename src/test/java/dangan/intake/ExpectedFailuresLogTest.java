package dangan.intake;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expected outcomes are not crashes: a dropped file that is not a spreadsheet, a survey file with
 * one rejected response — each is one log line naming the file and the reason, with no stack trace
 * and no "Rollback file strategy" warning; the file is still kept in failed/ with its .error.txt.
 */
@Tag("service")
class ExpectedFailuresLogTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    @RegisterExtension
    final LogCapture log = LogCapture.perTest();

    @Test
    void aFileThatIsNotASpreadsheetIsOneLineWithoutAStackTrace() throws Exception {
        dangan.drop("scan.pdf", Path.of("test-data/bad/not-a-spreadsheet.pdf"));

        Path kept = dangan.awaitHandled("scan.pdf");

        assertThat(kept.toString()).contains("/failed/");
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"))).contains("这不是 CSV 或 XLSX 文件");
        List<ILoggingEvent> lines = log.byConsumer(dangan.inbox());
        assertThat(lines).as("the lines logged while handling scan.pdf").hasSize(1);
        assertThat(lines.get(0).getFormattedMessage()).contains("scan.pdf").contains("这不是 CSV 或 XLSX 文件");
        assertThat(lines.get(0).getThrowableProxy()).isNull();
    }

    @Test
    void aSurveyFileWithOneRejectedResponseIsOneWarningWithoutAStackTrace() throws Exception {
        Path surveys = dangan.home().resolve("inbox").resolve("surveys");
        Path staging = Files.createTempFile(dangan.home(), "copying-", ".tmp");
        Files.copy(Path.of("test-data/surveys/batch-with-bad-response.json"), staging, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, surveys.resolve("batch-with-bad-response.json"), StandardCopyOption.ATOMIC_MOVE);

        Path kept = RunningService.awaitHandled(surveys, "batch-with-bad-response.json", Duration.ofSeconds(60));

        assertThat(kept.toString()).contains("/failed/");
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"))).contains("3 份回复中收下 2 份");
        List<ILoggingEvent> lines = log.byConsumer(surveys);
        assertThat(lines).noneMatch(e -> e.getThrowableProxy() != null);
        assertThat(lines).noneMatch(e -> e.getFormattedMessage().contains("Rollback"));
        // the file's summary (info) and the one warning that it was set aside
        assertThat(LogCapture.warnings(lines)).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("batch-with-bad-response.json").contains("3 份回复中拒收 1 份"));
    }
}
