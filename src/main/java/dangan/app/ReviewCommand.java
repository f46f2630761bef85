package dangan.app;

import picocli.CommandLine.ExitCode;
import dangan.archive.ReviewQueue;
import dangan.audit.Exposure;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;
import org.jdbi.v3.core.JdbiException;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code review list | accept ID… | reject ID… | file ARCHIVE_NO… [--by NAME]}: the review queue
 * (D-16) from the command line. Returns the exit status.
 */
final class ReviewCommand {

    static final String USAGE = """
              review list                       changes and archives waiting for review
              review accept ID... [--by NAME]   apply held changes to their archives
              review reject ID... [--by NAME]   keep the archives as they are
              review file ARCHIVE_NO... [--by NAME]  file archives opened from a low-trust source""";

    private ReviewCommand() {
    }

    static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) {
            out.println("Usage:\n" + USAGE);
            return ExitCode.USAGE;
        }
        String reviewer = System.getProperty("user.name", "unknown");
        List<String> targets = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--by") && i + 1 < args.size()) {
                reviewer = args.get(++i);
            } else {
                targets.add(args.get(i));
            }
        }
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            dangan.audit.AuditTrail audit = dangan.audit.AuditTrail.configured(settings, database.dataSource());
            ReviewQueue queue = new ReviewQueue(database.dataSource());
            switch (args.get(0)) {
                case "list" -> {
                    List<ReviewQueue.PendingChange> changes = queue.pendingChanges();
                    List<ReviewQueue.PendingArchive> archives = queue.pendingArchives();
                    out.println(changes.size() + " changes waiting for review:");
                    for (ReviewQueue.PendingChange p : changes) {
                        out.printf("  #%d  %s  %s: '%s' (%s, line %s) -> '%s' (%s, line %s) — %s%n", p.id(), p.archiveNo(),
                                p.field(), p.current() == null ? "" : p.current(), p.currentSource(), p.currentLine(),
                                p.proposed(), p.source(), p.line(), p.reason());
                    }
                    out.println(archives.size() + " archives waiting to be filed:");
                    for (ReviewQueue.PendingArchive a : archives) {
                        out.printf("  %s  %s  (from %s)%n", a.archiveNo(), a.name(), a.source());
                    }
                    Exposure.command(audit, "read", null, "review list: " + changes.size() + " change(s) of "
                            + changes.stream().map(ReviewQueue.PendingChange::archiveNo).distinct().count() + " archive(s), " + archives.size() + " archive(s) to file");
                }
                case "accept", "reject" -> {
                    int failed = 0;
                    List<Long> decided = new ArrayList<>();
                    for (String id : targets) {
                        try {
                            long changeId = Long.parseLong(id.replace("#", ""));
                            if (args.get(0).equals("accept")) queue.accept(changeId, reviewer); else queue.reject(changeId, reviewer);
                            out.println("#" + changeId + " " + args.get(0) + "ed by " + reviewer);
                            decided.add(changeId);
                        } catch (NumberFormatException e) {
                            failed++;
                            out.println(id + ": not a change number (see `review list`)");
                        } catch (IllegalArgumentException | JdbiException e) {
                            failed++; // e.g. the proposed mobile now belongs to another archive: nothing changed
                            out.println(id + ": not " + args.get(0) + "ed — " + e.getMessage());
                        }
                    }
                    Exposure.reviewDecision(database.dataSource(), audit, args.get(0), decided, reviewer);
                    if (failed > 0) return ExitCode.SOFTWARE;
                }
                case "file" -> {
                    for (String archiveNo : targets) {
                        boolean filed = queue.file(archiveNo, reviewer);
                        out.println(archiveNo + (filed ? " filed by " + reviewer : ": no archive waits under this number"));
                        if (filed) Exposure.command(audit, "change", archiveNo, "review file (by " + reviewer + ")");
                    }
                }
                default -> {
                    out.println("Unknown review command: " + args.get(0) + "\n" + USAGE);
                    return ExitCode.USAGE;
                }
            }
        }
        return 0;
    }
}
