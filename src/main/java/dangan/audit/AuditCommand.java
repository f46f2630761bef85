package dangan.audit;

import picocli.CommandLine.ExitCode;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.util.List;

/** {@code audit verify}: checks the audit log's hash chain; exits 1 naming the first broken entry. */
public final class AuditCommand {

    public static final String USAGE = """
              audit verify                check the audit log's hash chain (exit 1 names the first broken entry)""";

    private AuditCommand() {
    }

    public static int run(Settings settings, List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.size() != 1 || !args.get(0).equals("verify")) {
            err.println("Usage:\n" + USAGE);
            return ExitCode.USAGE;
        }
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            AuditTrail trail = AuditTrail.configured(settings, database.dataSource());
            AuditCheckpoints checkpoints = new AuditCheckpoints(AuditCheckpoints.file(settings.home()), null);
            AuditVerification.Result result = trail.verify(checkpoints);
            if (result.intact()) {
                out.println("Audit log intact: " + result.entries() + " entries, every hash and link checks out"
                        + (result.keyedFrom() == null || result.keyedFrom() == 1 ? "" : " (entries 1.." + (result.keyedFrom() - 1)
                        + " from before the keyed chain, unkeyed)") + ", and so do the checkpoints in "
                        + AuditCheckpoints.file(settings.home()) + ".");
                return 0;
            }
            err.println("Audit log BROKEN at entry " + result.brokenAt() + ": " + result.broken()
                    + ". Entries 1.." + result.entries() + " check out.");
            return ExitCode.SOFTWARE;
        }
    }
}
