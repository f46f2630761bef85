package dangan.app;

import dangan.access.Role;
import dangan.audit.Exposure;
import dangan.i18n.Localized;
import dangan.notify.DeliveryBook;
import dangan.notify.NotifyFlow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.UUID;

/**
 * {@code notifications list [--parked | --pending | --delivered] [--limit N] [--json] | retry EVENT_ID [SUBSCRIBER] --by NAME}:
 * the delivery bookkeeping of change notifications from the command line; a retry is an administrator's, audited.
 */
@Command(name = "notifications", mixinStandardHelpOptions = true)
final class NotificationsCommand extends CommandGroup {

    NotificationsCommand(CommandContext context) {
        super(context);
    }

    /** One of the states, or all. */
    static final class State {
        @Option(names = "--parked", required = true, descriptionKey = "notifications.parked")
        boolean parked;
        @Option(names = "--pending", required = true, descriptionKey = "notifications.pending")
        boolean pending;
        @Option(names = "--delivered", required = true, descriptionKey = "notifications.delivered")
        boolean delivered;

        String status() {
            return parked ? "parked" : pending ? "pending" : delivered ? "delivered" : null;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true)
    int list(@CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1") State state,
             @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", descriptionKey = "notifications.limit") int limit,
             @Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        if (limit < 1) throw context.usage(spec, "cli.not-a-number", "value", limit);
        String status = state == null ? null : state.status();
        return context.onDatabase((database, audit) -> {
            List<DeliveryBook.Row> rows = NotifyFlow.book(database.dataSource(), context.settings()).list(status, limit);
            if (json) return context.json(rows);
            context.say("cli.notifications.count", "count", rows.size(), "status", status == null ? "all" : status,
                    "limit", rows.size() == limit ? limit : 0);
            var table = context.table("cli.notifications.column.event", "cli.notifications.column.kind", "cli.notifications.column.subscriber",
                    "cli.column.archive", "cli.column.status", "cli.notifications.column.attempts", "cli.notifications.column.created",
                    "cli.notifications.column.next", "cli.notifications.column.error");
            for (DeliveryBook.Row r : rows) {
                table.row(r.eventId(), r.kind(), r.subscriber(), r.archiveNo(), context.status(r.status()), r.attempts(),
                        r.createdAt().toInstant(), "pending".equals(r.status()) ? r.nextAttemptAt().toInstant() : null, r.lastError());
            }
            table.print(context.out());
            return Dangan.OK;
        });
    }

    @Command(name = "retry", mixinStandardHelpOptions = true)
    int retry(@Parameters(index = "0", paramLabel = "EVENT_ID", descriptionKey = "notifications.event") UUID event,
              @Parameters(index = "1", paramLabel = "SUBSCRIBER", arity = "0..1", descriptionKey = "notifications.subscriber") String subscriber,
              @Mixin ActingFor by) throws Exception {
        return context.onDatabase((database, audit) -> {
            // an administrator's decision, as POST /api/notifications/{id}/retry asks
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), Role.ADMIN);
            int n = NotifyFlow.book(database.dataSource(), context.settings()).retry(event, subscriber);
            if (n == 0) {
                context.note(subscriber == null ? "cli.notifications.none" : "cli.notifications.none-to", "event", event.toString(),
                        "subscriber", String.valueOf(subscriber));
                return Dangan.FAILED;
            }
            Exposure.command(audit.get(), actor.name(), actor.role(), "retry", null,
                    Localized.of("audit.notifications.retry", "event", event.toString(), "count", n)); // as the API's retry
            context.say("cli.notifications.retried", "count", n, "event", event.toString());
            return Dangan.OK;
        });
    }
}
