package dangan.app;

import dangan.backup.BackupFailure;
import dangan.i18n.FailureText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dangan.backup.BackupList;
import dangan.backup.BackupSettings;
import dangan.backup.Backups;
import dangan.i18n.Messages;
import dangan.store.ArchiveDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code backup [--json]}: what the scheduled job does, now. {@code backup list [--json]}: the backups in the backup
 * folder, their sizes and dates, the keyring a restore would take and whether {@code restore} would accept each
 * ({@link BackupList}). The answer on stdout, refusals on stderr; exit codes of {@link BackupFailure}.
 */
@Command(name = "backup", mixinStandardHelpOptions = true)
final class BackupCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(BackupCommand.class);

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    private final CommandContext context;

    BackupCommand(CommandContext context) {
        this.context = context;
    }

    /** {@code backup}: a backup now ({@code backup list} is its sub-command). */
    @Override
    public Integer call() throws Exception {
        Backups.Result result;
        try (ArchiveDatabase db = ArchiveDatabase.open(context.settings())) {
            result = new Backups(db.dataSource(), BackupSettings.from(context.settings())).run();
        } catch (BackupFailure e) {
            LOG.debug(e.toString(), e); // the cause in the library's own words, for an operator
            context.err().println(e.reason(context.messages())); // says what failed, where, and that nothing partial was left
            return e.status();
        } catch (Exception e) {
            LOG.debug(e.toString(), e); // the library's own words, for an operator
            context.note("cli.backup.failed", "problem", FailureText.of(e, context.messages()));
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
            return context.json(answer);
        }
        context.say("cli.backup.done", "file", result.file().toString(), "mib", result.bytes() / (1024.0 * 1024),
                "schema", result.schemaVersion(), "archives", result.rows("customer"), "rows", result.totalRows(),
                "tables", result.rows().size(), "keys", result.keyring().keys(), "destructions", result.keyring().destructions(),
                "removed", result.removed().size(), "seconds", result.took().toMillis() / 1000.0);
        return Dangan.OK;
    }

    @Command(name = "list", mixinStandardHelpOptions = true)
    int list(@Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        List<BackupList.Entry> entries;
        try {
            entries = BackupList.of(context.settings());
        } catch (BackupFailure e) {
            context.note("cli.failed", "problem", e.reason(context.messages())); // no master key: nothing could be checked
            return e.status();
        }
        Messages messages = context.messages();
        if (json) {
            return context.json(entries.stream().map(e -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("file", e.file().toString());
                row.put("bytes", e.bytes());
                row.put("made", e.made());
                row.put("schema_version", e.schemaVersion());
                row.put("tables", e.tables());
                row.put("keyring", e.keyring().toString());
                row.put("keyring_made", e.keyringMade());
                row.put("restorable", e.restorable());
                row.put("refusal", e.restorable() ? null : e.refusal().in(messages));
                return row;
            }).toList());
        }
        ZoneId zone = context.settings().zone();
        context.say("cli.backup.list.count", "folder", BackupSettings.from(context.settings()).folder().toString(),
                "count", entries.size(), "restorable", entries.stream().filter(BackupList.Entry::restorable).count());
        var table = context.table("cli.backup.list.column.file", "cli.backup.list.column.size", "cli.backup.list.column.made",
                "cli.backup.list.column.schema", "cli.backup.list.column.keyring", "cli.backup.list.column.restore");
        for (BackupList.Entry e : entries) {
            table.row(e.file().getFileName().toString(), messages.text("cli.backup.list.mib", "mib", e.bytes() / (1024.0 * 1024)),
                    when(e.made(), zone), e.schemaVersion() == null ? "" : "V" + e.schemaVersion(),
                    e.keyring().getFileName() + (e.keyringMade() == null ? "" : " (" + when(e.keyringMade(), zone) + ")"),
                    e.restorable() ? messages.text("cli.backup.list.ok") : e.refusal().in(messages));
        }
        table.print(context.out());
        return Dangan.OK;
    }

    private static String when(Instant at, ZoneId zone) {
        return at == null ? "" : WHEN.format(at.atZone(zone));
    }
}
