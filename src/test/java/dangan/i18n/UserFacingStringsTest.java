package dangan.i18n;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No message a person reads is built outside the bundles — in the code already moved to them (issue 12
 * moves package after package; add each one here when it is done). A reason written as a literal in
 * these files fails the build with the file and line.
 */
@Tag("fast")
class UserFacingStringsTest {

    /** Where a literal would reach a person, and the files that must not have one. */
    private static final Map<Pattern, List<String>> FORBIDDEN = Map.of(
            // reasons of values that cannot be read: InvalidValueException.of(key, …) only
            Pattern.compile("new InvalidValueException\\(\""), List.of("src/main/java/dangan/normalise"),
            // reject reasons and warnings of input lines: no English words in a string literal
            Pattern.compile("\"[^\"]*[a-z]{3,} [a-z]{2,} [^\"]*\""),
            List.of("src/main/java/dangan/intake/RowNormaliser.java"),
            // the API doorway's answers: ApiProblem.localized(status, key, …) only
            Pattern.compile("ApiProblem\\.(badRequest|unauthorized|forbidden|notFound|conflict)\\(\"|new ApiProblem\\(\\d+, \""),
            List.of("src/main/java/dangan/access/Api.java"),
            // the reminder jobs' log lines, feeds and digest mails
            Pattern.compile("String\\.format\\(\"%s %s: |\\.append\\(\" new reminder|\"Dangan \" \\+ job"),
            List.of("src/main/java/dangan/reminders/ReminderJobs.java", "src/main/java/dangan/reminders/FeedWriter.java"));

    @Test
    void theMovedCodeBuildsNoMessageOutsideTheBundles() throws IOException {
        List<String> found = new ArrayList<>();
        for (Map.Entry<Pattern, List<String>> rule : FORBIDDEN.entrySet()) {
            for (String place : rule.getValue()) {
                Path root = Path.of(place);
                assertThat(root).as("checked place").exists();
                try (Stream<Path> files = Files.isDirectory(root) ? Files.walk(root) : Stream.of(root)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        List<String> lines = Files.readAllLines(file);
                        for (int i = 0; i < lines.size(); i++) {
                            String line = lines.get(i).strip();
                            if (line.startsWith("//") || line.startsWith("*") || line.startsWith("/*")) continue;
                            if (rule.getKey().matcher(lines.get(i)).find()) found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertThat(found).as("messages built outside the bundles").isEmpty();
    }
}
