package dangan.app;

import dangan.access.Role;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.intake.FileCheck;
import dangan.intake.IngestRevert;
import dangan.intake.RevertReport;
import dangan.privacy.SensitiveFields;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ingest check FILE [--as CHANNEL] | list [N] [--json] | revert ID --by NAME | original ID --by NAME [--to FOLDER]}:
 * the intake ledger from the command line. A check reads, normalises and matches a file exactly as filing it
 * would, then rolls everything back and writes its report beside the reject reports; a revert undoes one
 * ingest ({@link IngestRevert}) and writes its report there too; {@code original} opens a sealed original.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true)
final class IngestCommand extends CommandGroup {

    IngestCommand(CommandContext context) {
        super(context);
    }

    @Command(name = "check", mixinStandardHelpOptions = true)
    int check(@Parameters(paramLabel = "FILE", descriptionKey = "ingest.file") Path file,
              @Option(names = "--as", paramLabel = "CHANNEL", descriptionKey = "ingest.as") String channel) throws Exception {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            context.note("cli.ingest.unreadable", "file", file.toAbsolutePath().toString());
            return Dangan.FAILED;
        }
        return context.onDatabase((database, audit) -> {
            Settings settings = context.settings();
            SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
            FileCheck check = DanganService.fileCheck(settings, DanganService.archiveIntake(settings, database, sensitive));
            FileCheck.Result result = check.check(file, channel == null ? settings.get("dangan.check.channel", "registrations") : channel);
            context.out().println(result.checkOnly());
            context.out().println(check.messages().text("ingest.check.done", "report", result.report().toAbsolutePath().toString()));
            return Dangan.OK;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true)
    int list(@Parameters(paramLabel = "N", arity = "0..1", defaultValue = "20", descriptionKey = "ingest.count") int count,
             @Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        if (count < 1) throw context.usage(spec, "cli.ingest.count", "value", count);
        return context.onDatabase((database, audit) -> {
            List<IngestRevert.Entry> entries = new IngestRevert(database.dataSource(), audit.get()).list(Math.min(count, 1000));
            if (json) return context.json(entries);
            Messages messages = context.messages();
            context.out().println(messages.text("ingest.list.header"));
            for (IngestRevert.Entry e : entries) {
                context.out().println("  " + messages.text("ingest.list.line", "id", e.id(), "status", e.status(), "channel", e.channel(),
                        "source", e.source(), "lines", e.lines(), "created", e.created(), "updated", e.updated(),
                        "duplicates", e.duplicates(), "review", e.review(), "rejected", e.rejected())
                        + (e.revertedBy() == null ? "" : messages.text("ingest.list.reverted", "by", e.revertedBy())));
            }
            return Dangan.OK;
        });
    }

    @Command(name = "revert", mixinStandardHelpOptions = true)
    int revert(@Parameters(paramLabel = "ID", descriptionKey = "ingest.id") String id, @Mixin ActingFor by) throws Exception {
        long number = context.number(spec, id);
        return context.onDatabase((database, audit) -> {
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), Role.MANAGER);
            Messages messages = context.messages();
            IngestRevert.Result result = new IngestRevert(database.dataSource(), audit.get()).revert(number, actor.name());
            for (List<String> row : RevertReport.rows(result, messages)) {
                context.out().println(String.join("  ", row.stream().filter(c -> !c.isEmpty()).toList()));
            }
            Path report = RevertReport.write(result, context.settings().home().resolve("outbox").resolve("rejects"), messages);
            context.out().println(messages.text("ingest.revert.report", "report", report.toAbsolutePath().toString()));
            return Dangan.OK;
        });
    }

    @Command(name = "original", mixinStandardHelpOptions = true)
    int original(@Parameters(paramLabel = "ID", descriptionKey = "ingest.id") String id, @Mixin ActingFor by,
                 @Option(names = "--to", paramLabel = "FOLDER", descriptionKey = "ingest.to") Path to) throws Exception {
        long number = context.number(spec, id);
        return context.onDatabase((database, audit) -> {
            Settings settings = context.settings();
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), Role.MANAGER, Role.ADMIN);
            SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
            Path written = DanganService.sealedOriginals(settings, database, sensitive)
                    .open(number, actor.name(), to == null ? settings.home().resolve("outbox").resolve("originals") : to);
            context.say("cli.ingest.original", "id", number, "file", written.toAbsolutePath().toString());
            return Dangan.OK;
        });
    }

}
