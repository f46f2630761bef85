package dangan.bench;

import dangan.app.DanganService;
import dangan.config.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What the benchmarks share: how they end, and how they read a count from the command line. */
final class Benchmark {

    /** The body of a benchmark's main. */
    interface Body {
        void run(String[] args) throws Exception;
    }

    private Benchmark() {
    }

    /** Runs the benchmark and ends the JVM: the service's Quartz threads outlive its close(). */
    static void main(String[] args, Body body) {
        int status = 0;
        try {
            body.run(args);
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /** The count at args[index] ("1,000,000" and "1_000_000" read as 1000000), or the default. */
    static long count(String[] args, int index, long fallback) {
        return args.length > index ? Long.parseLong(args[index].replace(",", "").replace("_", "")) : fallback;
    }

    /**
     * The settings of a fresh Dangan with its home in {@code work/home} (embedded PostgreSQL unless
     * DANGAN_DB_URL is set), off the service port, watching its folders closely; {@code extra} on top.
     */
    static Settings freshService(Path work, Map<String, String> extra) throws IOException {
        Map<String, String> fixed = new HashMap<>(extra);
        fixed.put("dangan.home", work.resolve("home").toString());
        fixed.put("dangan.intake.settle-ms", "200");
        fixed.put("dangan.intake.poll-ms", "100");
        fixed.put("dangan.intake.release-delay-ms", "1000"); // a stop waits out the claims' release
        return DanganService.offTheServicePort(Settings.load(Path.of("config", "application.properties"),
                System.getenv(), System.getProperties()).with(fixed)); // never clash with a running service
    }

    /** The first column of the first row the query answers, as text. */
    static String value(DanganService service, String sql) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** As {@link #value}, a count. */
    static long number(DanganService service, String sql) throws Exception {
        return Long.parseLong(value(service, sql));
    }

    /** A temporary folder for the run (files, DANGAN_HOME, the embedded database), removed when the JVM ends. */
    static Path workDir(String prefix) throws IOException {
        Path work = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> all = Files.walk(work)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        return work;
    }

    /**
     * What the server wrote: WAL by its position (exact, at once), and from its counters (pg_stat_wal, pg_stat_bgwriter) the
     * full-page images and syncs, pages the backends wrote out themselves (to make room in the shared buffers), checkpoints
     * begun. A backend adds its counts to them when idle, at most once a second: the service's sessions' last second of an
     * ingest may be counted late.
     */
    record Writes(long walBytes, long fullPages, long walSyncs, long backendWrites, long checkpoints) {
        static Writes now(Connection c) throws Exception {
            try (Statement s = c.createStatement()) {
                // this session's own counts (the floor ran here) reach the shared ones once it is idle again: at most once a
                // second otherwise, so a floor of under a second showed no WAL at all
                s.execute("select pg_stat_force_next_flush()");
                s.execute("select pg_stat_clear_snapshot()");
                try (ResultSet rs = s.executeQuery("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, w.wal_fpi, w.wal_sync, b.buffers_backend,"
                        + " b.checkpoints_timed + b.checkpoints_req from pg_stat_wal w, pg_stat_bgwriter b")) {
                    rs.next();
                    return new Writes(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
                }
            }
        }

        String since(Writes before) {
            return String.format("WAL %,d MB (%,d full-page images, %,d syncs), %,d MB written out by backends, %d checkpoints begun",
                    (walBytes - before.walBytes) >> 20, fullPages - before.fullPages, walSyncs - before.walSyncs,
                    (backendWrites - before.backendWrites) * 8 / 1024, checkpoints - before.checkpoints);
        }
    }

    /**
     * Settles the archive, untimed: {@code vacuum} (what a rolled-back floor or check left is removed, the statistics are
     * fresh), then a checkpoint, so that what is timed next starts a checkpoint cycle and meets no autovacuum of it.
     */
    static void settle(Statement s, String vacuum) throws Exception {
        s.execute(vacuum);
        s.execute("checkpoint");
    }

    /** How many autovacuum and autoanalyze runs of the archive's tables have ended so far. */
    static long autovacuums(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("select coalesce(sum(autovacuum_count + autoanalyze_count), 0) from pg_stat_user_tables")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
