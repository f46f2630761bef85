package dangan.backup;

import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.store.ArchiveDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code backup [--json]}: what the scheduled job does, now. {@code restore FILE [--keyring PATH]}: the
 * backup into the configured, empty database — without starting the service. The answer on stdout
 * (the {@code cli} bundle), progress and refusals on stderr; exit codes of {@link BackupFailure}.
 */
public final class BackupCommand {

    private BackupCommand() {
    }

    /** The {@code backup} command. */
    public static Object backupCommand(Supplier<Settings> settings, PrintStream out, PrintStream err) {
        return new Backup(settings, out, err);
    }

    /** The {@code restore} command. */
    public static Object restoreCommand(Supplier<Settings> settings, PrintStream out, PrintStream err) {
        return new RestoreCommand(settings, out, err);
    }

    @Command(name = "backup", mixinStandardHelpOptions = true)
    static final class Backup implements Callable<Integer> {
        private final Supplier<Settings> settings;
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--json", descriptionKey = "json")
        boolean json;

        Backup(Supplier<Settings> settings, PrintStream out, PrintStream err) {
            this.settings = settings;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            Settings settings = this.settings.get();
            Messages messages = Messages.of(settings);
            Backups.Result result;
            try (ArchiveDatabase db = ArchiveDatabase.open(settings)) {
                result = new Backups(db.dataSource(), BackupSettings.from(settings)).run();
            } catch (BackupFailure e) {
                err.println(e.getMessage()); // says what failed, where, and that nothing partial was left
                return e.status();
            } catch (Exception e) {
                err.println(messages.text("cli.backup.failed", "problem", String.valueOf(e.getMessage())));
                return BackupFailure.FAILED;
            }
            if (json) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("file", result.file().toString());
                answer.put("bytes", result.bytes());
                answer.put("sha256", result.sha256());
                answer.put("schema_version", result.schemaVersion());
                answer.put("archives", result.rows("customer"));
                answer.put("rows", result.rows());
                answer.put("keyring", result.keyring().file().toString());
                answer.put("keys", result.keyring().keys());
                answer.put("destructions", result.keyring().destructions());
                answer.put("removed", result.removed().stream().map(Path::toString).toList());
                answer.put("seconds", result.took().toMillis() / 1000.0);
                out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(answer));
            } else {
                out.println(messages.text("cli.backup.done", "file", result.file().toString(), "mib", result.bytes() / (1024.0 * 1024),
                        "schema", result.schemaVersion(), "archives", result.rows("customer"), "rows", result.totalRows(),
                        "tables", result.rows().size(), "keys", result.keyring().keys(), "destructions", result.keyring().destructions(),
                        "removed", result.removed().size(), "seconds", result.took().toMillis() / 1000.0));
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true)
    static final class RestoreCommand implements Callable<Integer> {
        private final Supplier<Settings> settings;
        private final PrintStream out;
        private final PrintStream err;

        @Parameters(paramLabel = "FILE", descriptionKey = "restore.file")
        Path file;

        @Option(names = "--keyring", paramLabel = "PATH", descriptionKey = "restore.keyring")
        Path keyring;

        RestoreCommand(Supplier<Settings> settings, PrintStream out, PrintStream err) {
            this.settings = settings;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            Settings settings = this.settings.get();
            Messages messages = Messages.of(settings);
            try {
                Restore.Result result = Restore.run(settings, file, keyring, err::println);
                long total = result.rows().values().stream().mapToLong(Long::longValue).sum();
                out.println(messages.text("cli.restore.done", "file", result.file().getFileName().toString(), "made", result.createdAt(),
                        "schema", result.backupSchema(), "now", result.schemaNow(), "archives", result.rows().getOrDefault("customer", 0L),
                        "rows", total, "tables", result.rows().size(), "keys", result.keys(), "destructions", result.destructionsAdded(),
                        "removed", result.customersRemoved(), "seconds", result.took().toMillis() / 1000.0));
                return 0;
            } catch (BackupFailure e) {
                err.println(messages.text("cli.restore.refused", "problem", e.getMessage()));
                return e.status();
            } catch (Exception e) {
                err.println(messages.text("cli.restore.failed", "problem", String.valueOf(e.getMessage())));
                return BackupFailure.FAILED;
            }
        }
    }
}
