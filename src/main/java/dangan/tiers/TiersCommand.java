package dangan.tiers;

import picocli.CommandLine.ExitCode;
import dangan.audit.Exposure;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tiers list | show ID | approve ID [LINE…] --by NAME | reject ID [LINE…] --by NAME}: the tier
 * proposals of the annual review (D-19) from the command line. Returns the exit status.
 */
public final class TiersCommand {

    public static final String USAGE = """
              tiers list                              tier proposals (类别调整建议书) and their state
              tiers show ID                           one proposal, line by line, with the figures
              tiers approve ID [LINE...] --by NAME    apply all open lines, or the lines given
              tiers reject ID [LINE...] --by NAME     keep the archives' tiers (all open lines, or those given)""";

    private TiersCommand() {
    }

    public static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) {
            out.println("Usage:\n" + USAGE);
            return ExitCode.USAGE;
        }
        String by = null;
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--by")) {
                if (i + 1 >= args.size()) return usage(out, "--by needs the manager's name");
                by = args.get(++i);
            } else {
                rest.add(args.get(i));
            }
        }
        String verb = args.get(0);
        if (!List.of("list", "show", "approve", "reject").contains(verb)) return usage(out, "Unknown tiers command: " + verb);
        Long id = null;
        List<Integer> lines = new ArrayList<>();
        if (!verb.equals("list")) {
            if (rest.isEmpty()) return usage(out, "tiers " + verb + " needs a proposal number (see 'tiers list')");
            try {
                id = Long.parseLong(rest.get(0).replace("#", ""));
                for (String line : rest.subList(1, rest.size())) lines.add(Integer.parseInt(line.replace("#", "")));
            } catch (NumberFormatException e) {
                return usage(out, "proposal and line numbers are whole numbers: " + String.join(" ", rest));
            }
            if (verb.equals("show") && !lines.isEmpty()) return usage(out, "tiers show takes one proposal number");
            if ((verb.equals("approve") || verb.equals("reject")) && (by == null || by.isBlank())) {
                return usage(out, "tiers " + verb + " needs the deciding manager's name: --by NAME (it goes into the change register)");
            }
        }
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            dangan.audit.AuditTrail audit = dangan.audit.AuditTrail.configured(settings, database.dataSource());
            TierProposals proposals = new TierProposals(database.dataSource());
            switch (verb) {
                case "list" -> {
                    List<TierProposals.Proposal> all = proposals.list();
                    out.println(all.size() + " tier proposals:");
                    for (TierProposals.Proposal p : all) out.println("  " + headline(p));
                }
                case "show" -> {
                    TierProposals.Proposal p = proposals.proposal(id);
                    if (p != null) Exposure.command(audit, "read", null, "tiers show #" + id + ": " + p.lines() + " line(s)");
                    if (p == null) {
                        out.println("No tier proposal #" + id + " (see 'tiers list')");
                        return ExitCode.SOFTWARE;
                    }
                    out.println("类别调整建议书 " + headline(p));
                    out.println("  figures from " + p.windowFrom() + " up to (not including) " + p.windowTo()
                            + "; filed by " + p.filedBy() + " at " + p.filedAt());
                    out.printf("  %5s  %-12s %-10s %3s -> %-3s %6s %12s  %-10s %s%n", "line", "archive", "name", "old", "new",
                            "visits", "spend", "status", "flags");
                    for (TierProposals.Line l : proposals.lines(id)) {
                        out.printf("  %5d  %-12s %-10s %3s -> %-3s %6d %12s  %-10s %s%s%n", l.lineNo(), l.archiveNo(), l.name(),
                                l.oldTier() == null ? "-" : l.oldTier(), l.newTier(), l.visits(), "¥" + l.spend().toPlainString(),
                                l.status(), l.flags(),
                                l.decidedBy() == null ? "" : "  (" + l.decidedBy() + ", " + l.decidedAt() + ")"
                                        + (l.note() == null ? "" : " " + l.note()));
                    }
                }
                default -> {
                    boolean approve = verb.equals("approve");
                    TierProposals.Decision d;
                    try {
                        d = approve ? proposals.approve(id, lines, by) : proposals.reject(id, lines, by);
                    } catch (IllegalArgumentException e) {
                        out.println(e.getMessage());
                        return ExitCode.SOFTWARE;
                    }
                    out.printf("proposal #%d: %d lines %s by %s%s%n", id, d.decided(), approve ? "approved and applied" : "rejected", by,
                            d.stale() == 0 ? "" : "; " + d.stale() + " lines not applied because the archive's tier changed since the review (stale)");
                    if (!d.unknownLines().isEmpty()) {
                        out.println("  not on the proposal or already decided, left alone: lines " + d.unknownLines());
                    }
                    out.println("  " + headline(proposals.proposal(id)));
                    Exposure.command(audit, approve ? "approve" : "reject", null, "tier proposal #" + id + ": "
                            + d.decided() + " line(s) " + (approve ? "approved" : "rejected") + ", " + d.stale() + " stale (by " + by + ")");
                }
            }
        }
        return 0;
    }

    private static String headline(TierProposals.Proposal p) {
        return String.format("#%d  as of %s  %s  %d lines (open %d, approved %d, rejected %d, stale %d)%s", p.id(), p.asOf(),
                p.status(), p.lines(), p.open(), p.approved(), p.rejected(), p.stale(),
                p.decidedAt() == null ? "" : "  decided " + p.decidedAt());
    }

    private static int usage(PrintStream out, String problem) {
        out.println(problem + "\nUsage:\n" + USAGE);
        return ExitCode.USAGE;
    }
}
