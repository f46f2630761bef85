package dangan.support;

import dangan.app.Dangan;
import dangan.config.Settings;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A command line run as {@code main} runs it (the same parser, texts, exit codes), on a test's settings
 * instead of a configuration file, with stdout and stderr kept apart.
 */
public final class Commands {

    private Commands() {
    }

    /** What a command did: its exit status, what it wrote to stdout and to stderr. */
    public record Run(int status, String out, String err) {
    }

    public static Run run(Settings settings, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Dangan.run(settings, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
