package dangan.app;

import dangan.access.UserCommand;
import dangan.audit.AuditCommand;
import dangan.backup.BackupCommand;
import dangan.config.Settings;
import dangan.notify.NotifyCommand;
import dangan.privacy.KeysCommand;
import dangan.tiers.TiersCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar target/dangan.jar [--config FILE] [--once | review …]}: starts the service,
 * processes what waits in the inboxes and exits ({@code --once}), or works the review queue.
 */
public final class Dangan {

    private static final String USAGE = """
            Usage: java -jar target/dangan.jar [--config FILE] [--once | COMMAND]
              (no command)    run the service until stopped
              --once          process what waits in the inbox folders, then exit
                              (0: all files handled, 2: a file failed as a whole, 3: timed out)
              --config FILE   configuration file (default: config/application.properties)
            Commands:
            """ + ReviewCommand.USAGE.indent(2) + IngestCommand.USAGE.indent(2) + RunJobCommand.USAGE.indent(2) + TiersCommand.USAGE.indent(2)
                    + NotifyCommand.USAGE.indent(2) + UserCommand.USAGE.indent(2) + AuditCommand.USAGE.indent(2)
                    + KeysCommand.USAGE.indent(2) + BackupCommand.USAGE.indent(2) + """
            Every key of the configuration can be overridden by -Dkey=value or by an environment
            variable named after it (dangan.db.url <-> DANGAN_DB_URL).""";

    private Dangan() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of("config", "application.properties");
        boolean once = false;
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--once" -> once = true;
                case "--config" -> {
                    if (i + 1 >= args.length) exit(64, "--config needs a file\n" + USAGE);
                    config = Path.of(args[++i]);
                }
                case "--help", "-h" -> exit(0, USAGE);
                default -> {
                    if (command.isEmpty() && args[i].startsWith("-")) exit(64, "Unknown option: " + args[i] + "\n" + USAGE);
                    command.add(args[i]);
                }
            }
        }
        if (!Files.isRegularFile(config)) {
            exit(66, "Configuration file not found: " + config.toAbsolutePath() + " (run from the Dangan folder or pass --config FILE)");
        }
        Settings settings = Settings.load(config, System.getenv(), System.getProperties());
        if (!command.isEmpty()) {
            List<String> rest = command.subList(1, command.size());
            int status = switch (command.get(0)) {
                case "review" -> ReviewCommand.run(settings, rest, System.out);
                case "ingest" -> IngestCommand.run(settings, rest, System.out);
                case "run-job" -> RunJobCommand.run(settings, rest, System.out);
                case "tiers" -> TiersCommand.run(settings, rest, System.out);
                case "notifications" -> NotifyCommand.run(settings, rest, System.out);
                case "user" -> UserCommand.run(settings, rest, System.out, System.err);
                case "audit" -> AuditCommand.run(settings, rest, System.out, System.err);
                case "keys" -> KeysCommand.run(settings, rest, System.out);
                case "backup" -> BackupCommand.backup(settings, rest, System.out, System.err);
                case "restore" -> BackupCommand.restore(settings, rest, System.out, System.err);
                default -> {
                    System.err.println("Unknown command: " + command.get(0) + "\n" + USAGE);
                    yield 64;
                }
            };
            System.exit(status);
        }
        if (once) {
            settings = DanganService.offTheServicePort(settings);
        }
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
