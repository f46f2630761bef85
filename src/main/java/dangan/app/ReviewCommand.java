package dangan.app;

import dangan.i18n.Localized;

import dangan.access.Role;
import dangan.archive.ReviewQueue;
import dangan.audit.Exposure;
import dangan.i18n.Messages;
import dangan.privacy.SensitiveFields;
import dangan.rules.RuleException;
import org.jdbi.v3.core.JdbiException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code review list [--json] | accept ID… [--as health|allergies|extra|extra:NAME] --by NAME | reject ID… --by NAME
 * | file ARCHIVE_NO… --by NAME}: the review queue (D-16) from the command line. A decision is taken by a manager or
 * keeper (as {@code /api/review} asks), named with {@code --by} and audited under their name; a held sensitive
 * column ({@code held:<heading>}) is accepted by a manager only, with {@code --as} saying where it goes.
 */
@Command(name = "review", mixinStandardHelpOptions = true)
final class ReviewCommand extends CommandGroup {

    private static final Role[] REVIEWERS = {Role.MANAGER, Role.KEEPER};

    ReviewCommand(CommandContext context) {
        super(context);
    }

    @Command(name = "list", mixinStandardHelpOptions = true)
    int list(@Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        return context.onDatabase((database, audit) -> {
            ReviewQueue queue = new ReviewQueue(database.dataSource(), audit.get().messages());
            List<ReviewQueue.PendingChange> changes = queue.pendingChanges();
            List<ReviewQueue.PendingArchive> archives = queue.pendingArchives();
            Exposure.command(audit.get(), "read", null, Localized.of("audit.review.list", "call", "dangan review list", "changes", changes.size(),
                    "archives", changes.stream().map(ReviewQueue.PendingChange::archiveNo).distinct().count(), "waiting", archives.size()));
            if (json) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("changes", changes);
                answer.put("archives", archives);
                return context.json(answer);
            }
            context.say("cli.review.changes", "count", changes.size());
            var table = context.table("cli.column.id", "cli.column.archive", "cli.column.field", "cli.review.column.current",
                    "cli.review.column.proposed", "cli.review.column.reason");
            Messages messages = context.messages();
            for (ReviewQueue.PendingChange p : changes) {
                table.row("#" + p.id(), p.archiveNo(), p.field(),
                        messages.text("cli.review.value", "value", p.current() == null ? "" : p.current(), "source", String.valueOf(p.currentSource()),
                                "line", String.valueOf(p.currentLine())),
                        messages.text("cli.review.value", "value", String.valueOf(p.proposed()), "source", String.valueOf(p.source()),
                                "line", String.valueOf(p.line())),
                        p.reason());
            }
            table.print(context.out());
            context.say("cli.review.archives", "count", archives.size());
            var waiting = context.table("cli.column.archive", "cli.column.name", "cli.column.source");
            for (ReviewQueue.PendingArchive a : archives) waiting.row(a.archiveNo(), a.name(), a.source());
            waiting.print(context.out());
            return Dangan.OK;
        });
    }

    @Command(name = "accept", mixinStandardHelpOptions = true)
    int accept(@Parameters(paramLabel = "ID", arity = "1..*", descriptionKey = "review.id") List<String> ids,
               @Option(names = "--as", paramLabel = "health|allergies|extra|extra:NAME", descriptionKey = "review.as") String as,
               @Mixin ActingFor by) throws Exception {
        return decide(true, ids, ReviewQueue.Filing.parse(as), by);
    }

    @Command(name = "reject", mixinStandardHelpOptions = true)
    int reject(@Parameters(paramLabel = "ID", arity = "1..*", descriptionKey = "review.id") List<String> ids,
               @Mixin ActingFor by) throws Exception {
        return decide(false, ids, null, by);
    }

    private int decide(boolean accept, List<String> ids, ReviewQueue.Filing as, ActingFor by) throws Exception {
        return context.onDatabase((database, audit) -> {
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), REVIEWERS);
            ReviewQueue queue = new ReviewQueue(database.dataSource(), audit.get().messages(),
                    accept ? SensitiveFields.configured(context.settings(), database.dataSource()) : null);
            Set<Long> pending = queue.pendingChanges().stream().map(ReviewQueue.PendingChange::id).collect(Collectors.toSet());
            int failed = 0;
            List<Long> decided = new ArrayList<>();
            for (String id : ids) {
                long changeId;
                try {
                    changeId = Long.parseLong(id.replace("#", ""));
                } catch (NumberFormatException e) {
                    failed++;
                    context.note("cli.review.not-a-number", "id", id);
                    continue;
                }
                if (!pending.contains(changeId)) {
                    failed++;
                    context.note("cli.review.none", "id", changeId);
                    continue;
                }
                try {
                    if (accept) {
                        queue.accept(changeId, actor.name(), Role.of(actor.role()), as, h -> { });
                    } else {
                        queue.reject(changeId, actor.name());
                    }
                    context.say(accept ? "cli.review.accepted" : "cli.review.rejected", "id", changeId, "by", actor.name());
                    decided.add(changeId);
                } catch (RuleException e) {
                    failed++; // a held column accepted by a keeper or without --as, a sealed archive, a change decided meanwhile
                    context.note("cli.review.not-decided", "id", changeId, "problem", e.message(context.messages()));
                } catch (IllegalArgumentException | JdbiException e) {
                    failed++; // e.g. the proposed mobile now belongs to another archive, or the archive is sealed: nothing changed
                    context.note("cli.review.not-decided", "id", changeId, "problem", dangan.i18n.FailureText.line(e, context.messages()));
                }
            }
            Exposure.reviewDecision(database.dataSource(), audit.get(), accept, decided, actor.name(), actor.role());
            return failed == 0 ? Dangan.OK : Dangan.FAILED;
        });
    }

    @Command(name = "file", mixinStandardHelpOptions = true)
    int file(@Parameters(paramLabel = "ARCHIVE_NO", arity = "1..*", descriptionKey = "review.archive") List<String> archives,
             @Mixin ActingFor by) throws Exception {
        return context.onDatabase((database, audit) -> {
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), REVIEWERS);
            ReviewQueue queue = new ReviewQueue(database.dataSource(), audit.get().messages());
            int failed = 0;
            for (String archiveNo : archives) {
                if (queue.file(archiveNo, actor.name())) {
                    context.say("cli.review.filed", "archive", archiveNo, "by", actor.name());
                    Exposure.command(audit.get(), actor.name(), actor.role(), "change", archiveNo, Localized.of("audit.review.filed"));
                } else {
                    failed++;
                    context.note("cli.review.no-archive", "archive", archiveNo);
                }
            }
            return failed == 0 ? Dangan.OK : Dangan.FAILED;
        });
    }
}
