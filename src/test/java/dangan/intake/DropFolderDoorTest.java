package dangan.intake;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drop folders take regular files only (issue 10): a symbolic link — to the master key, to a
 * CSV that would parse — a hard link and a name too long to file are set aside in failed/ as they
 * are, their targets never opened: nothing of the target in the log, the .error.txt (owner-only)
 * or the ledger, nothing filed.
 */
@Tag("service")
class DropFolderDoorTest {

    /** Stands in for data/master.key: any file the service's account can read. */
    private static final String SECRET = "c2VjcmV0LW1hc3Rlci1rZXktb2YtdGhlLWFyY2hpdmUtMDEyMzQ1Njc4OQ==";

    @TempDir
    static Path elsewhere;
    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    @RegisterExtension
    final LogCapture log = LogCapture.perTest();

    @Test
    void aLinkToTheMasterKeyIsSetAsideUnopened() throws Exception {
        Path key = Files.writeString(dangan.home().resolve("data").resolve("secret.key"), SECRET);

        Files.createSymbolicLink(dangan.inbox().resolve("key.csv"), key);
        Path aside = dangan.awaitHandled("key.csv");

        assertThat(aside.toString()).contains("/failed/");
        assertThat(Files.isSymbolicLink(aside)).as("the link itself was moved, untouched").isTrue();
        assertThat(Files.readString(key)).isEqualTo(SECRET);
        Path note = aside.resolveSibling(aside.getFileName() + ".error.txt");
        assertThat(Files.readString(note)).contains("key.csv").contains("符号链接").doesNotContain("c2VjcmV0");
        assertThat(Files.getPosixFilePermissions(note)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(aside.getParent().getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        Map<String, Object> ingest = dangan.row("select status, error from ingest where source_name = 'key.csv'");
        assertThat(ingest.get("status")).isEqualTo("failed");
        assertThat((String) ingest.get("error")).contains("符号链接").doesNotContain("c2VjcmV0");
        // the warning is logged once the link is moved aside: wait for it, then it is the only line
        List<ILoggingEvent> lines = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> log.byConsumer(dangan.inbox()), found -> !found.isEmpty());
        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.getFormattedMessage()).contains("key.csv").doesNotContain("c2VjcmV0");
            assertThat(line.getThrowableProxy()).isNull();
        });
    }

    @Test
    void aLinkToAParseableCsvOutsideIsNeverFiled() throws Exception {
        Path outside = Files.writeString(elsewhere.resolve("people.csv"), "姓名,手机\n李娜,13900139001\n", StandardCharsets.UTF_8);

        Files.createSymbolicLink(dangan.inbox().resolve("people.csv"), outside);
        Path aside = dangan.awaitHandled("people.csv");

        assertThat(aside.toString()).contains("/failed/");
        assertThat(Files.isSymbolicLink(aside)).isTrue();
        assertThat(dangan.count("select count(*) from customer where name = '李娜'")).isZero();
        assertThat(dangan.count("select count(*) from ingest where source_name = 'people.csv' and status = 'failed'")).isOne();
    }

    @Test
    void aHardLinkToAFileOutsideIsSetAside() throws Exception {
        Path outside = Files.writeString(elsewhere.resolve("hard.csv"), "姓名,手机\n王芳,13900139002\n", StandardCharsets.UTF_8);

        Files.createLink(dangan.inbox().resolve("hard.csv"), outside);
        Path aside = dangan.awaitHandled("hard.csv");

        assertThat(aside.toString()).contains("/failed/");
        assertThat(Files.readString(aside.resolveSibling(aside.getFileName() + ".error.txt"))).contains("硬链接");
        assertThat(dangan.count("select count(*) from customer where name = '王芳'")).isZero();
        assertThat(Files.readString(outside)).contains("王芳");
    }

    @Test
    void aLinkInAnotherDropFolderIsSetAsideToo() throws Exception {
        Path key = Files.writeString(elsewhere.resolve("survey-secret.json"), "{\"survey_id\":\"" + SECRET + "\"}");
        Path surveys = dangan.home().resolve("inbox").resolve("surveys");

        Files.createSymbolicLink(surveys.resolve("answers.json"), key);
        Path aside = RunningService.awaitHandled(surveys, "answers.json", Duration.ofSeconds(60));

        assertThat(Files.isSymbolicLink(aside)).isTrue();
        assertThat(Files.readString(aside.resolveSibling(aside.getFileName() + ".error.txt"))).contains("符号链接").doesNotContain("c2VjcmV0");
        assertThat(log.byConsumer(surveys)).noneMatch(line -> line.getFormattedMessage().contains("c2VjcmV0"));
    }

    @Test
    void aNameTooLongToFileIsSetAsideWithTheReason() throws Exception {
        String name = "客".repeat(80) + ".csv"; // 244 bytes: with its time in front and .error.txt behind, over 255

        dangan.drop(name, "姓名,手机\n赵磊,13900139003\n", StandardCharsets.UTF_8);

        Path failed = dangan.inbox().resolve("failed");
        Path note = await(failed);
        assertThat(Files.readString(note)).contains("文件名过长").contains("244");
        // the note is written before the file moves (DropGate): wait for the move too
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !Files.exists(dangan.inbox().resolve(name)));
        assertThat(dangan.count("select count(*) from customer where name = '赵磊'")).isZero();
    }

    @Test
    void aFileThatIsNotACustomerListIsNamedByItsColumnsNeverByItsContent() throws Exception {
        dangan.drop("copied-key.csv", SECRET + "\n", StandardCharsets.US_ASCII);

        Path kept = dangan.awaitHandled("copied-key.csv");

        assertThat(kept.toString()).contains("/failed/");
        Path note = kept.resolveSibling(kept.getFileName() + ".error.txt");
        assertThat(Files.readString(note)).contains("共 1 列").doesNotContain("c2VjcmV0");
        assertThat(Files.getPosixFilePermissions(note)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat((String) dangan.row("select error from ingest where source_name = 'copied-key.csv'").get("error"))
                .contains("共 1 列").doesNotContain("c2VjcmV0");
        assertThat(log.byConsumer(dangan.inbox())).isNotEmpty()
                .noneMatch(line -> line.getFormattedMessage().contains("c2VjcmV0"));
    }

    @Test
    void aNameWithALineBreakIsShownEscapedAndForgesNoLogLine() throws Exception {
        String name = "x\n00:00:00.000 INFO  [main] d.app.DanganService - forged.csv";

        dangan.drop(name, Files.readAllBytes(Path.of("test-data/bad/not-a-spreadsheet.pdf")));
        Path kept = dangan.awaitHandled(name);

        String shown = "x\\n00:00:00.000 INFO  [main] d.app.DanganService - forged.csv";
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt"))).contains(shown);
        assertThat(dangan.count("select count(*) from ingest where source_name = ? and status = 'failed'", shown)).isOne();
        List<ILoggingEvent> lines = log.byConsumer(dangan.inbox());
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.getFormattedMessage()).doesNotContain("\n"));
        assertThat(lines).anySatisfy(line -> assertThat(line.getFormattedMessage()).contains(shown));
    }

    @Test
    void aNameTheConsumerSkipsIsLoggedOnce() throws Exception {
        Files.writeString(dangan.inbox().resolve("..\\x.csv"), "姓名,手机\n孙丽,13900139004\n");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> skipped().size() == 1);
        dangan.drop("after.csv", "姓名,手机\n周杰,13900139005\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("after.csv"); // several polls later

        assertThat(skipped()).singleElement().satisfies(line -> assertThat(line.getFormattedMessage()).contains("点开头"));
        assertThat(Files.exists(dangan.inbox().resolve("..\\x.csv"))).as("left where it is").isTrue();
        assertThat(dangan.count("select count(*) from customer where name = '孙丽'")).isZero();
    }

    private List<ILoggingEvent> skipped() {
        return log.byConsumer(dangan.inbox()).stream()
                .filter(line -> line.getFormattedMessage().contains("..\\\\x.csv")).toList();
    }

    @Test
    void aSurveyFileThatIsNotJsonIsNamedByLineAndColumnNeverByItsContent() throws Exception {
        Path surveys = dangan.home().resolve("inbox").resolve("surveys");
        Path staging = Files.writeString(dangan.home().resolve("copying-key.tmp"), SECRET + "\n");
        Files.move(staging, surveys.resolve("key.json"));

        Path kept = RunningService.awaitHandled(surveys, "key.json", Duration.ofSeconds(60));

        assertThat(kept.toString()).contains("/failed/");
        assertThat(Files.readString(kept.resolveSibling(kept.getFileName() + ".error.txt")))
                .contains("第 1 行第").doesNotContain("c2VjcmV0");
        assertThat((String) dangan.row("select error from ingest where source_name = 'key.json'").get("error"))
                .doesNotContain("c2VjcmV0");
        assertThat(log.byConsumer(surveys)).isNotEmpty().noneMatch(line -> line.getFormattedMessage().contains("c2VjcmV0"));
    }

    private static Path await(Path failed) {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!Files.isDirectory(failed)) return null;
                    try (var files = Files.walk(failed)) {
                        return files.filter(p -> p.getFileName().toString().endsWith(".error.txt"))
                                .filter(p -> p.getFileName().toString().contains("客客")).findFirst().orElse(null);
                    }
                }, java.util.Objects::nonNull);
    }
}
