package dangan.app;

import dangan.config.Settings;
import dangan.intake.FileCheck;
import dangan.privacy.SensitiveFields;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ingest check FILE [--as CHANNEL]}: the intake ledger from the command line. A check reads,
 * normalises and matches a file exactly as filing it would, then rolls everything back and writes its
 * report beside the reject reports. Returns the exit status.
 */
final class IngestCommand {

    static final String USAGE = """
              ingest check FILE [--as CHANNEL]  what filing FILE would do, changing nothing (report in outbox/rejects)""";

    private IngestCommand() {
    }

    static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) return usage(out, "");
        String verb = args.get(0);
        String channel = settings.get("dangan.check.channel", "registrations");
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--as")) {
                if (i + 1 >= args.size()) return usage(out, "--as needs a channel (registrations, contracts …)");
                channel = args.get(++i);
            } else {
                rest.add(args.get(i));
            }
        }
        if (verb.equals("check")) {
            if (rest.size() != 1) return usage(out, "ingest check takes one file");
            Path file = Path.of(rest.get(0));
            if (!Files.isRegularFile(file)) {
                out.println("ingest check: " + file.toAbsolutePath() + " is not a readable file");
                return 66;
            }
            try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
                SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
                FileCheck check = DanganService.fileCheck(settings, DanganService.archiveIntake(settings, database, sensitive));
                FileCheck.Result result = check.check(file, channel);
                out.println(result.run().isDuplicateFile() ? result.run().summary() : counts(result));
                out.println(check.messages().text("ingest.check.done", "report", result.report().toAbsolutePath().toString()));
            }
            return 0;
        }
        return usage(out, "Unknown ingest command: " + verb);
    }

    private static String counts(FileCheck.Result result) {
        var run = result.run();
        return String.format("%s: %d lines — new %d, updated %d, duplicates %d, review %d, rejected %d, warnings %d (check only, nothing filed)",
                run.name(), run.read(), run.created(), run.updated(), run.duplicates(), run.review(), run.rejected(), run.warnings());
    }

    private static int usage(PrintStream out, String problem) {
        out.println((problem.isEmpty() ? "" : problem + "\n") + "Usage:\n" + USAGE);
        return 64;
    }
}
