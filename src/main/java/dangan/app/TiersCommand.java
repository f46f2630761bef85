package dangan.app;

import dangan.i18n.Localized;

import dangan.access.Role;
import dangan.audit.Exposure;
import dangan.i18n.Messages;
import dangan.rules.RuleException;
import dangan.tiers.TierProposals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tiers list | show ID | approve ID [LINE…] --by NAME | reject ID [LINE…] --by NAME}: the tier
 * proposals of the annual review (D-19) from the command line. A decision is a manager's (as
 * {@code /api/tier-proposals} asks), named with {@code --by} and audited under their name.
 */
@Command(name = "tiers", mixinStandardHelpOptions = true)
final class TiersCommand extends CommandGroup {

    TiersCommand(CommandContext context) {
        super(context);
    }

    @Command(name = "list", mixinStandardHelpOptions = true)
    int list(@Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        return context.onDatabase((database, audit) -> {
            List<TierProposals.Proposal> all = new TierProposals(database.dataSource()).list();
            if (json) return context.json(all);
            context.say("cli.tiers.count", "count", all.size());
            var table = context.table("cli.column.id", "cli.tiers.column.as-of", "cli.column.status", "cli.tiers.column.lines",
                    "cli.tiers.column.open", "cli.tiers.column.approved", "cli.tiers.column.rejected", "cli.tiers.column.stale",
                    "cli.tiers.column.decided-at");
            for (TierProposals.Proposal p : all) {
                table.row("#" + p.id(), p.asOf(), context.status(p.status()), p.lines(), p.open(), p.approved(), p.rejected(), p.stale(), p.decidedAt());
            }
            table.print(context.out());
            return Dangan.OK;
        });
    }

    @Command(name = "show", mixinStandardHelpOptions = true)
    int show(@Parameters(paramLabel = "ID", descriptionKey = "tiers.id") String id,
             @Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        long number = context.number(spec, id);
        return context.onDatabase((database, audit) -> {
            TierProposals proposals = new TierProposals(database.dataSource());
            TierProposals.Proposal p = proposals.proposal(number);
            if (p == null) throw RuleException.notFound("cli.tiers.none", "id", number);
            List<TierProposals.Line> lines = proposals.lines(number);
            Exposure.command(audit.get(), "read", null, Localized.of("audit.tiers.show", "call", "dangan tiers show " + number, "lines", p.lines()));
            if (json) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("proposal", p);
                answer.put("lines", lines);
                return context.json(answer);
            }
            Messages messages = context.messages();
            context.say("cli.tiers.headline", "id", p.id(), "asOf", p.asOf(), "status", context.status(p.status()), "lines", p.lines(),
                    "open", p.open(), "approved", p.approved(), "rejected", p.rejected(), "stale", p.stale());
            context.say("cli.tiers.window", "from", p.windowFrom(), "to", p.windowTo(), "by", String.valueOf(p.filedBy()),
                    "at", String.valueOf(p.filedAt()));
            var table = context.table("cli.tiers.column.line", "cli.column.archive", "cli.column.name", "cli.tiers.column.change",
                    "cli.tiers.column.visits", "cli.tiers.column.spend", "cli.column.status", "cli.tiers.column.flags", "cli.tiers.column.decided");
            for (TierProposals.Line l : lines) {
                table.row(l.lineNo(), l.archiveNo(), l.name(), (l.oldTier() == null ? "-" : l.oldTier()) + " -> " + l.newTier(), l.visits(),
                        "¥" + messages.amount(l.spend()), context.status(l.status()), flags(messages, l),
                        l.decidedBy() == null ? null : l.decidedBy() + " " + l.decidedAt() + (l.note() == null ? "" : " " + l.note()));
            }
            table.print(context.out());
            return Dangan.OK;
        });
    }

    @Command(name = "approve", mixinStandardHelpOptions = true)
    int approve(@Parameters(index = "0", paramLabel = "ID", descriptionKey = "tiers.id") String id,
                @Parameters(index = "1..*", paramLabel = "LINE", arity = "0..*", descriptionKey = "tiers.line") List<String> lines,
                @Mixin ActingFor by) throws Exception {
        return decide(true, id, lines, by);
    }

    @Command(name = "reject", mixinStandardHelpOptions = true)
    int reject(@Parameters(index = "0", paramLabel = "ID", descriptionKey = "tiers.id") String id,
               @Parameters(index = "1..*", paramLabel = "LINE", arity = "0..*", descriptionKey = "tiers.line") List<String> lines,
               @Mixin ActingFor by) throws Exception {
        return decide(false, id, lines, by);
    }

    private int decide(boolean approve, String id, List<String> given, ActingFor by) throws Exception {
        long number = context.number(spec, id);
        List<Integer> lines = new ArrayList<>();
        for (String line : given == null ? List.<String>of() : given) lines.add((int) context.number(spec, line));
        return context.onDatabase((database, audit) -> {
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), Role.MANAGER);
            TierProposals proposals = new TierProposals(database.dataSource(), audit.get().messages());
            if (proposals.proposal(number) == null) throw RuleException.notFound("cli.tiers.none", "id", number);
            TierProposals.Decision d = approve ? proposals.approve(number, lines, actor.name()) : proposals.reject(number, lines, actor.name());
            context.say(approve ? "cli.tiers.approved" : "cli.tiers.rejected", "id", number, "count", d.decided(), "by", actor.name(),
                    "stale", d.stale());
            if (!d.unknownLines().isEmpty()) context.note("cli.tiers.unknown-lines", "lines", d.unknownLines().toString());
            TierProposals.Proposal p = proposals.proposal(number);
            context.say("cli.tiers.headline", "id", p.id(), "asOf", p.asOf(), "status", context.status(p.status()), "lines", p.lines(),
                    "open", p.open(), "approved", p.approved(), "rejected", p.rejected(), "stale", p.stale());
            Exposure.command(audit.get(), actor.name(), actor.role(), approve ? "approve" : "reject", null, Localized.of("audit.tiers.decided",
                    "id", number, "approve", approve ? "yes" : "no", "decided", d.decided(), "stale", d.stale(),
                    "hasLines", lines.isEmpty() ? "no" : "yes", "lines", lines.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")),
                    "hasReason", "no", "reason", ""));
            return Dangan.OK;
        });
    }


    private static String flags(Messages messages, TierProposals.Line l) {
        List<String> f = new ArrayList<>();
        if (l.keyDecisionMaker()) f.add(messages.text("cli.tiers.flag.key-decision-maker"));
        if (l.importantOrganisation()) f.add(messages.text("cli.tiers.flag.important-organisation"));
        if (l.outOfProvince()) f.add(messages.text("cli.tiers.flag.out-of-province"));
        return String.join(messages.text("cli.list-separator"), f);
    }
}
