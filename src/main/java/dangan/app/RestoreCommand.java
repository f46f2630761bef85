package dangan.app;

import dangan.backup.BackupFailure;
import dangan.i18n.FailureText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dangan.backup.Restore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code restore FILE [--keyring PATH]}: the backup into the configured, empty database — without starting the
 * service ({@link Restore}). The answer on stdout, progress and refusals on stderr; exit codes of {@link BackupFailure}.
 */
@Command(name = "restore", mixinStandardHelpOptions = true)
final class RestoreCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreCommand.class);

    private final CommandContext context;

    @Parameters(paramLabel = "FILE", descriptionKey = "restore.file")
    Path file;

    @Option(names = "--keyring", paramLabel = "PATH", descriptionKey = "restore.keyring")
    Path keyring;

    RestoreCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        try {
            Restore.Result result = Restore.run(context.settings(), file, keyring, context.err()::println);
            long total = result.rows().values().stream().mapToLong(Long::longValue).sum();
            context.say("cli.restore.done", "file", result.file().getFileName().toString(), "made", result.createdAt(),
                    "schema", result.backupSchema(), "now", result.schemaNow(), "archives", result.rows().getOrDefault("customer", 0L),
                    "rows", total, "tables", result.rows().size(), "keys", result.keys(), "destructions", result.destructionsAdded(),
                    "removed", result.customersRemoved(), "seconds", result.took().toMillis() / 1000.0);
            return Dangan.OK;
        } catch (BackupFailure e) {
            LOG.debug(e.toString(), e); // the cause in the library's own words, for an operator
            context.note("cli.restore.refused", "problem", e.reason(context.messages()));
            return e.status();
        } catch (Exception e) {
            LOG.debug(e.toString(), e); // the library's own words, for an operator
            context.note("cli.restore.failed", "problem", FailureText.of(e, context.messages()));
            return BackupFailure.FAILED;
        }
    }
}
