package dangan.bench;

import dangan.app.DanganService;
import dangan.backup.BackupSettings;
import dangan.backup.Backups;
import dangan.backup.CopyFloor;
import dangan.backup.Restore;
import dangan.config.Settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Backup and restore benchmark ({@code bench/backup.sh [archives] [consumption]}, -Xmx512m):
 * fills a fresh embedded PostgreSQL with generated archives (10 % with an encrypted ID number,
 * 20 % with a health fact, a data key each) and consumption records, then times the backup job,
 * the restore into an empty database, and next to them the plain COPY of the same tables (the
 * floor) and pg_dump -Fc / pg_restore --single-transaction when those are on the PATH.
 */
public final class BackupBenchmark {

    private BackupBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, BackupBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        long archives = Benchmark.count(args, 0, 1_000_000);
        long consumption = Benchmark.count(args, 1, 10_000_000);
        Path work = Benchmark.workDir("dangan-backup-bench-");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Settings settings = Benchmark.freshService(work, Map.of("dangan.db.embedded.durable", "false",
                "dangan.master-key", Base64.getEncoder().encodeToString(key), "dangan.db.url", ""));
        List<String> results = new ArrayList<>();
        try (DanganService service = DanganService.start(settings)) {
            long t0 = System.nanoTime();
            generate(service, archives, consumption);
            System.out.printf("generated %,d archives and %,d consumption records in %.1f s%n", archives, consumption, seconds(t0));
            int port = service.database().embeddedPort();
            String restoreDb = "dangan_restore";
            String pgRestoreDb = "dangan_pg_restore";
            try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("create database " + restoreDb);
                s.execute("create database " + pgRestoreDb);
            }

            long t = System.nanoTime();
            long copied = CopyFloor.bytes(service.database().dataSource());
            results.add(String.format("%-40s %7.1f s   %,d bytes of COPY text, not written anywhere", "plain COPY of the same tables (floor)",
                    seconds(t), copied));

            Backups backups = new Backups(service.database().dataSource(), BackupSettings.from(settings));
            t = System.nanoTime();
            Backups.Result backup = backups.run();
            results.add(String.format("%-40s %7.1f s   %s, %,d rows; keyring %,d keys", "dangan backup (job)", seconds(t),
                    Backups.size(backup.bytes()), backup.totalRows(), backup.keyring().keys()));

            Settings target = settings.with(Map.of("dangan.db.url", "jdbc:postgresql://localhost:" + port + "/" + restoreDb,
                    "dangan.db.user", "postgres", "dangan.home", work.resolve("restore-home").toString()));
            t = System.nanoTime();
            Restore.Result restored = Restore.run(target, backup.file(), null, System.out::println);
            results.add(String.format("%-40s %7.1f s   %,d archives, %,d keys", "dangan restore into an empty database",
                    seconds(t), restored.rows().get("customer"), restored.keys()));

            if (Psql.onPath("pg_dump") && Psql.onPath("pg_restore")) {
                Path dump = work.resolve("pg.dump");
                String url = "postgresql://postgres@localhost:" + port + "/";
                String password = dangan.store.ArchiveDatabase.storedPassword(settings.home()); // SCRAM only
                t = System.nanoTime();
                Psql.run(List.of("pg_dump", "-Fc", "-f", dump.toString(), url + "dangan"), password, true);
                results.add(String.format("%-40s %7.1f s   %s (compressed, unencrypted)", "pg_dump -Fc (reference)", seconds(t),
                        Backups.size(Files.size(dump))));
                t = System.nanoTime();
                Psql.run(List.of("pg_restore", "--single-transaction", "-d", url + pgRestoreDb, dump.toString()), password, true);
                results.add(String.format("%-40s %7.1f s", "pg_restore --single-transaction (ref.)", seconds(t)));
            }
        }
        System.out.println();
        System.out.printf("archives                                 %,d%n", archives);
        System.out.printf("consumption records                      %,d%n", consumption);
        results.forEach(System.out::println);
        System.out.printf("JVM max heap                             %d MiB%n", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        try (var files = Files.walk(work)) { // the databases and files of a run take gigabytes
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.out.println("(work folder " + work + " deleted)");
    }

    private static void generate(DanganService service, long archives, long consumption) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("select setseed(0.42)");
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into customer (archive_no, name, mobile, tier, id_number_enc, id_number_hash, id_number_masked, source_line)
                    select 'BENCH' || lpad(g::text, 9, '0'), '客' || g, '19' || lpad(g::text, 9, '0'),
                           (array['A','B','C','D','E'])[1 + g % 5],
                           case when g % 10 = 0 then decode(md5(g::text) || md5((-g)::text) || md5((g * 7)::text), 'hex') end,
                           case when g % 10 = 0 then decode(md5((g * 3)::text) || md5((g * 5)::text), 'hex') end,
                           case when g % 10 = 0 then '440304********' || lpad((g % 10000)::text, 4, '0') end,
                           g::int
                    from generate_series(1, ?) g""")) {
                ps.setLong(1, archives);
                ps.executeUpdate();
            }
            long first;
            try (ResultSet rs = s.executeQuery("select min(id) from customer")) {
                rs.next();
                first = rs.getLong(1);
            }
            s.execute("""
                    insert into health_fact (customer_id, kind, detail_enc, fact_key)
                    select id, 'allergy', decode(md5(id::text) || md5((id * 11)::text), 'hex'), decode(md5((id * 13)::text), 'hex')
                    from customer where id % 5 = 0""");
            s.execute("""
                    insert into customer_key (id, customer_id, wrapped)
                    select md5('k' || id)::uuid, id, decode(md5(id::text) || md5((id * 17)::text) || md5((id * 19)::text), 'hex')
                    from customer""");
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into consumption (customer_id, visit_date, amount, service, fact_key)
                    select ? + floor(? * power(random(), 3))::bigint, current_date - 1 - floor(random() * 730)::int,
                           (20 + floor(random() * 400))::numeric(12, 2), '客房', md5(g::text)::uuid
                    from generate_series(1, ?) g""")) {
                ps.setLong(1, first);
                ps.setLong(2, archives);
                ps.setLong(3, consumption);
                ps.executeUpdate();
            }
            s.execute("vacuum analyze");
        }
    }



    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
