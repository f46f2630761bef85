package dangan.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command run as a process, as an operator runs it: with {@code dangan.log.format=json} its log on
 * stderr is logback's JSON, one object per line, like the service's; the answer is alone on stdout.
 */
@Tag("service")
class CommandLogFormatTest {

    @TempDir
    Path home;

    @Test
    void aCommandLogsJsonOnStderrWhenToldAndAnswersAloneOnStdout() throws Exception {
        Path out = home.resolve("stdout.txt");
        Path err = home.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dfile.encoding=UTF-8",
                "-Ddangan.home=" + home, "-Ddangan.db.url=" + TestDatabase.freshDatabase(), "-Ddangan.db.user=postgres",
                "-Ddangan.master-key=" + RunningService.TEST_MASTER_KEY, "-Ddangan.log.format=json",
                "-cp", System.getProperty("java.class.path"), "dangan.app.Dangan", "backup"));
        Process process = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the command ended").isTrue();
        } finally {
            process.destroyForcibly();
        }
        String log = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(log).isZero();
        String answer = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(answer).startsWith("备份 ").contains(".dgb").doesNotContain("INFO");
        assertThat(answer.lines()).hasSize(1);

        List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("the command logs (the backup logs what it wrote)").isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode entry = json.readTree(line); // not JSON: fails here, naming the line
            assertThat(entry.has("level") && entry.has("formattedMessage")).as(line).isTrue();
        }
    }
}
