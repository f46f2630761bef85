package dangan.app;

import picocli.CommandLine.ExitCode;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.intake.FileCheck;
import dangan.intake.IngestRevert;
import dangan.intake.RevertReport;
import dangan.rules.RuleException;
import dangan.privacy.SensitiveFields;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ingest check FILE [--as CHANNEL] | list [N] | revert ID --by NAME}: the intake ledger from the
 * command line. A check reads, normalises and matches a file exactly as filing it would, then rolls
 * everything back and writes its report beside the reject reports; a revert undoes one ingest
 * ({@link IngestRevert}) and writes its report there too. Returns the exit status.
 */
final class IngestCommand {

    static final String USAGE = """
              ingest check FILE [--as CHANNEL]  what filing FILE would do, changing nothing (report in outbox/rejects)
              ingest list [N]                   the N latest ingests (default 20) with their counts
              ingest revert ID --by NAME        undo one ingest; NAME is a manager (report in outbox/rejects)
              ingest original ID --by NAME [--to FOLDER]
                                                the filed original of ingest ID in clear, owner-only, in FOLDER
                                                (default outbox/originals); NAME is a manager or administrator (audited)""";

    private IngestCommand() {
    }

    static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) return usage(out, "");
        String verb = args.get(0);
        String channel = settings.get("dangan.check.channel", "registrations");
        String by = null;
        Path to = settings.home().resolve("outbox").resolve("originals");
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--by")) {
                if (i + 1 >= args.size()) return usage(out, "--by needs the manager's name");
                by = args.get(++i);
            } else if (args.get(i).equals("--to")) {
                if (i + 1 >= args.size()) return usage(out, "--to needs a folder");
                to = Path.of(args.get(++i));
            } else if (args.get(i).equals("--as")) {
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
                return ExitCode.SOFTWARE;
            }
            try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
                SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
                FileCheck check = DanganService.fileCheck(settings, DanganService.archiveIntake(settings, database, sensitive));
                FileCheck.Result result = check.check(file, channel);
                out.println(result.checkOnly());
                out.println(check.messages().text("ingest.check.done", "report", result.report().toAbsolutePath().toString()));
            }
            return 0;
        }
        if (verb.equals("original")) {
            long number;
            try {
                if (rest.size() != 1) return usage(out, "ingest original takes one ingest number (see `ingest list`)");
                number = Long.parseLong(rest.get(0).replace("#", ""));
            } catch (NumberFormatException e) {
                return usage(out, "ingest original: '" + rest.get(0) + "' is not a number");
            }
            if (by == null || by.isBlank()) {
                return usage(out, "ingest original needs who reads it: --by NAME (a manager or administrator; it goes into the audit log)");
            }
            try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
                SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
                Path written = DanganService.sealedOriginals(settings, database, sensitive).open(number, by, to);
                out.println("ingest original " + number + ": " + written.toAbsolutePath() + " (owner-only; delete it when done)");
                return 0;
            } catch (RuleException e) {
                out.println("ingest original " + number + ": not opened — " + e.getMessage());
                return ExitCode.SOFTWARE;
            }
        }
        if (verb.equals("list") || verb.equals("revert")) {
            long number;
            try {
                number = rest.isEmpty() ? (verb.equals("list") ? 20 : -1) : Long.parseLong(rest.get(0).replace("#", ""));
            } catch (NumberFormatException e) {
                return usage(out, "ingest " + verb + ": '" + rest.get(0) + "' is not a number");
            }
            if (verb.equals("revert") && (number < 0 || rest.size() != 1)) return usage(out, "ingest revert takes one ingest number (see `ingest list`)");
            if (verb.equals("revert") && (by == null || by.isBlank())) {
                return usage(out, "ingest revert needs the manager who decides it: --by NAME (it goes into the change register and the audit log)");
            }
            Messages messages = Messages.of(settings);
            try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
                IngestRevert ingests = new IngestRevert(database.dataSource(), dangan.audit.AuditTrail.configured(settings, database.dataSource()));
                if (verb.equals("list")) {
                    out.println(messages.text("ingest.list.header"));
                    for (IngestRevert.Entry e : ingests.list((int) Math.min(number, 1000))) {
                        out.println("  " + messages.text("ingest.list.line", "id", e.id(), "status", e.status(), "channel", e.channel(),
                                "source", e.source(), "lines", e.lines(), "created", e.created(), "updated", e.updated(),
                                "duplicates", e.duplicates(), "review", e.review(), "rejected", e.rejected())
                                + (e.revertedBy() == null ? "" : messages.text("ingest.list.reverted", "by", e.revertedBy())));
                    }
                    return 0;
                }
                try {
                    IngestRevert.Result result = ingests.revert(number, by);
                    for (List<String> row : RevertReport.rows(result, messages)) {
                        out.println(String.join("  ", row.stream().filter(c -> !c.isEmpty()).toList()));
                    }
                    Path report = RevertReport.write(result, settings.home().resolve("outbox").resolve("rejects"), messages);
                    out.println(messages.text("ingest.revert.report", "report", report.toAbsolutePath().toString()));
                    return 0;
                } catch (RuleException e) {
                    out.println(messages.text("ingest.revert.refused", "id", String.valueOf(number), "reason", e.message(messages)));
                    return ExitCode.SOFTWARE; // refused (not permitted, not found): the reason is printed
                }
            }
        }
        return usage(out, "Unknown ingest command: " + verb);
    }

    private static int usage(PrintStream out, String problem) {
        out.println((problem.isEmpty() ? "" : problem + "\n") + "Usage:\n" + USAGE);
        return ExitCode.USAGE;
    }
}
