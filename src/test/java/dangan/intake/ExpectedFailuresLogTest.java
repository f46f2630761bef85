package dangan.intake;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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
 * The service's log is captured as written (logback, the service's own configuration).
 */
@Tag("service")
class ExpectedFailuresLogTest {

    @TempDir
    static Path home;
    static RunningService dangan;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    @BeforeEach
    void capture() {
        log.start();
        root.addAppender(log);
    }

    @AfterEach
    void release() {
        root.detachAppender(log);
    }

    @Test
    void aFileThatIsNotASpreadsheetIsOneLineWithoutAStackTrace() throws Exception {
        dangan.drop("scan.pdf", Path.of("test-data/bad/not-a-spreadsheet.pdf"));

        Path kept = dangan.awaitHandled("scan.pdf");

        assertThat(kept.toString()).contains("/failed/");
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"))).contains("not a CSV or XLSX");
        List<ILoggingEvent> lines = ours(dangan.inbox());
        assertThat(lines).as("the lines logged while handling scan.pdf").hasSize(1);
        assertThat(lines.get(0).getFormattedMessage()).contains("scan.pdf").contains("not a CSV or XLSX");
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
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"))).contains("2 of 3 responses taken");
        List<ILoggingEvent> lines = ours(surveys);
        assertThat(lines).noneMatch(e -> e.getThrowableProxy() != null);
        assertThat(lines).noneMatch(e -> e.getFormattedMessage().contains("Rollback"));
        // the file's summary (info) and the one warning that it was set aside
        assertThat(lines.stream().filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)))
                .singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains("batch-with-bad-response.json").contains("1 of 3 responses rejected"));
    }

    /** What the consumer of this folder logged (test classes run in parallel: others' lines are not ours). */
    private List<ILoggingEvent> ours(Path inbox) {
        String consumer = inbox.toUri().getPath().replaceAll("/$", "");
        List<ILoggingEvent> all;
        synchronized (log) { // the appender appends under its own lock
            all = List.copyOf(log.list);
        }
        return all.stream().filter(e -> e.getThreadName().contains(consumer)).toList();
    }
}
