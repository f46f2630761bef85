package dangan.privacy;

import picocli.CommandLine.ExitCode;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code keys status | keys reseal [--batch N]}: which stored values are still sealed under the
 * master-derived service key (version 1) and which under customer keys (version 2); re-seal the
 * former under their customers' keys. Works on the database without starting the service.
 */
public final class KeysCommand {

    public static final String USAGE = """
              keys status                       sealed values per table: version 1 (service key) / 2 (customer key)
              keys reseal [--batch N]           re-seal version 1 values under their customers' keys (N customers per transaction, default 500)""";

    private KeysCommand() {
    }

    public static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty() || !(args.get(0).equals("status") || args.get(0).equals("reseal"))) {
            out.println("Usage:\n" + USAGE);
            return ExitCode.USAGE;
        }
        int batch = 500;
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--batch") && i + 1 < args.size()) {
                try {
                    batch = Integer.parseInt(args.get(++i));
                } catch (NumberFormatException e) {
                    batch = -1;
                }
                if (batch < 1) {
                    out.println("--batch needs a positive number of customers\nUsage:\n" + USAGE);
                    return ExitCode.USAGE;
                }
            } else {
                out.println("Unknown argument: " + args.get(i) + "\nUsage:\n" + USAGE);
                return ExitCode.USAGE;
            }
        }
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
            Reseal reseal = new Reseal(database.dataSource(), sensitive);
            if (args.get(0).equals("reseal")) {
                long started = System.nanoTime();
                Reseal.Result result = reseal.run(batch);
                out.printf("re-sealed %d value(s) of %d customer(s) under customer keys in %.1f s: %s%n", result.total(),
                        result.customers(), (System.nanoTime() - started) / 1e9, result.resealed());
            }
            for (Map.Entry<String, Map<Integer, Long>> e : reseal.status().entrySet()) {
                out.printf("  %-30s version 1 (service key): %d, version 2 (customer key): %d%n", e.getKey(),
                        e.getValue().getOrDefault(1, 0L), e.getValue().getOrDefault(2, 0L));
            }
        }
        return 0;
    }
}
