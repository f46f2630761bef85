package dangan.app;

import dangan.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code java -jar target/dangan.jar [--config FILE] [--once]}: starts the service, or with
 * {@code --once} processes everything waiting in the inbox folders and exits.
 */
public final class Dangan {

    private static final String USAGE = """
            Usage: java -jar target/dangan.jar [--config FILE] [--once]
              --config FILE   configuration file (default: config/application.properties)
              --once          process what waits in the inbox folders, then exit
                              (0: all files handled, 2: a file failed as a whole, 3: timed out)
            Every key of the configuration can be overridden by -Dkey=value or by an environment
            variable named after it (dangan.db.url <-> DANGAN_DB_URL).""";

    private Dangan() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of("config", "application.properties");
        boolean once = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> once = true;
                case "--config" -> {
                    if (i + 1 >= args.length) exit(64, "--config needs a file\n" + USAGE);
                    config = Path.of(args[++i]);
                }
                case "--help", "-h" -> exit(0, USAGE);
                default -> exit(64, "Unknown argument: " + args[i] + "\n" + USAGE);
            }
        }
        if (!Files.isRegularFile(config)) {
            exit(66, "Configuration file not found: " + config.toAbsolutePath() + " (run from the Dangan folder or pass --config FILE)");
        }
        Settings settings = Settings.load(config, System.getenv(), System.getProperties());
        DanganService service = DanganService.start(settings);
        if (once) {
            int status;
            try {
                status = new OnceRun(service).drain(Duration.ofSeconds(settings.getInt("dangan.once.timeout-seconds", 3600)));
            } finally {
                service.close();
            }
            System.exit(status);
        }
        service.awaitShutdown();
    }

    private static void exit(int status, String message) {
        (status == 0 ? System.out : System.err).println(message);
        System.exit(status);
    }
}
