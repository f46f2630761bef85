package dangan.app;

import dangan.config.Settings;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The review command names what it could not do, exits non-zero, and changes nothing for it. */
@Tag("database")
class ReviewCommandTest {

    @TempDir
    Path home;

    @Test
    void unknownOrMalformedChangeNumbersAreNamed() throws Exception {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.home", home.toString(), "dangan.db.url", TestDatabase.freshDatabase(),
                        "dangan.db.user", "postgres", "dangan.master-key", RunningService.TEST_MASTER_KEY));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = ReviewCommand.run(settings, List.of("accept", "42", "x7", "--by", "王经理"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("42: not accepted — No pending change 42")
                .contains("x7: not a change number");
    }
}
