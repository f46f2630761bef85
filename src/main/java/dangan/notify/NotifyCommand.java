package dangan.notify;

import picocli.CommandLine.ExitCode;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.util.List;
import java.util.UUID;

/**
 * {@code notifications list [--parked | --pending | --delivered] | retry EVENT_ID [SUBSCRIBER]}: the
 * delivery bookkeeping from the command line. Returns the exit status.
 */
public final class NotifyCommand {

    public static final String USAGE = """
              notifications list [--parked|--pending|--delivered] [--limit N]
                                                deliveries of change notifications (default: all, oldest first)
              notifications retry EVENT_ID [SUBSCRIBER]
                                                put a parked delivery back in line for the next relay run""";

    private NotifyCommand() {
    }

    public static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) {
            out.println("Usage:\n" + USAGE);
            return ExitCode.USAGE;
        }
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            DeliveryBook book = NotifyFlow.book(database.dataSource(), settings);
            switch (args.get(0)) {
                case "list" -> {
                    String status = null;
                    int limit = 1000;
                    for (int i = 1; i < args.size(); i++) {
                        switch (args.get(i)) {
                            case "--parked" -> status = "parked";
                            case "--pending" -> status = "pending";
                            case "--delivered" -> status = "delivered";
                            case "--limit" -> {
                                if (i + 1 >= args.size()) return usage(out, "--limit needs a number");
                                limit = Integer.parseInt(args.get(++i));
                            }
                            default -> {
                                return usage(out, "Unknown option for notifications list: " + args.get(i));
                            }
                        }
                    }
                    List<DeliveryBook.Row> rows = book.list(status, limit);
                    out.println(rows.size() + " " + (status == null ? "" : status + " ") + "deliveries"
                            + (rows.size() == limit ? " (the first " + limit + "; --limit N for more)" : "") + ":");
                    for (DeliveryBook.Row r : rows) {
                        out.printf("  %s  %-18s  %-10s  archive %-12s  %-9s  attempts %d  created %s%s%s%n", r.eventId(), r.kind(),
                                r.subscriber(), r.archiveNo() == null ? "-" : r.archiveNo(), r.status(), r.attempts(),
                                r.createdAt().toInstant(),
                                "pending".equals(r.status()) ? "  next " + r.nextAttemptAt().toInstant() : "",
                                r.lastError() == null ? "" : "  — " + r.lastError());
                    }
                }
                case "retry" -> {
                    if (args.size() < 2 || args.size() > 3) return usage(out, "notifications retry needs an event id");
                    UUID id;
                    try {
                        id = UUID.fromString(args.get(1));
                    } catch (IllegalArgumentException e) {
                        return usage(out, "'" + args.get(1) + "' is not an event id (as `notifications list` shows it)");
                    }
                    String subscriber = args.size() == 3 ? args.get(2) : null;
                    int n = book.retry(id, subscriber);
                    if (n == 0) {
                        out.println("No parked or pending delivery of event " + id + (subscriber == null ? "" : " to " + subscriber));
                        return ExitCode.SOFTWARE;
                    }
                    out.println(n + " deliveries of event " + id + " will be attempted on the next relay run");
                }
                default -> {
                    return usage(out, "Unknown notifications command: " + args.get(0));
                }
            }
        }
        return 0;
    }

    private static int usage(PrintStream out, String problem) {
        out.println(problem + "\nUsage:\n" + USAGE);
        return ExitCode.USAGE;
    }
}
