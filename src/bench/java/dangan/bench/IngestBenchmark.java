package dangan.bench;

import dangan.app.DanganService;
import dangan.archive.ArchiveMerge;
import dangan.config.Settings;
import org.postgresql.PGConnection;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Ingest benchmark: generates a registration file of N rows (default 1,000,000), drops it into a
 * fresh Dangan (embedded PostgreSQL unless DANGAN_DB_URL is set) and reports the ingest time next
 * to its floor (the same file filed by hand-written set-based SQL into the same schema, rolled back)
 * and to a plain COPY of the same file into an equivalent table on the same server — what psql's
 * {@code \copy} does — and, when psql is on the PATH, psql {@code \copy} itself.
 * Run with {@code bench/ingest.sh [rows] [--no-check]}, which holds the JVM to -Xmx512m; {@code --no-check} leaves out
 * the two checks of the file before it is dropped (80 s at 1,000,000 lines), for quicker runs while working.
 * <p>
 * As {@code bench/table.sh} does, the archive is settled (untimed) before the floor and again before the drop: vacuumed
 * and analysed, then a checkpoint. The floor and the checks are rolled back; left there, their aborted rows (1,000,000
 * archives, visits and the rest, with their index entries) were in the tables the ingest fills, autovacuum cleaned them
 * up during the ingest, on the same two cores, and the floor's 1.3 GB of WAL brought the ingest's first checkpoint
 * forward into it. {@code --no-settle} leaves them, as before round 10. The server's writes of the floor and of the
 * ingest are printed (WAL, full-page images, pages written out by the backends, checkpoints begun).
 */
public final class IngestBenchmark {

    private static final String HEADER = "姓名,性别,出生日期,手机号码,身份证号,邮箱,地址,过敏史,偏好,消费金额,消费日期,服务项目,门店";
    private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"};
    private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"};
    private static final String[] SERVICES = {"精油按摩", "面部护理", "足疗", "头疗", "客房", "晚餐", "保洁"};
    private static final String[] BRANCHES = {"福田店", "南山店", "朝阳店", "浦东店", "天河店"};

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        boolean checks = !arguments.contains("--no-check");
        boolean settle = !arguments.contains("--no-settle");
        int rows = arguments.stream().filter(a -> !a.startsWith("--")).findFirst().map(Integer::parseInt).orElse(1_000_000);
        Path work = Benchmark.workDir("dangan-bench-");
        Path file = work.resolve("registrations-" + rows + ".csv");
        long t0 = System.nanoTime();
        generate(file, rows);
        System.out.printf("generated %,d rows (%.1f MB) in %.1f s%n", rows, Files.size(file) / 1e6, seconds(t0));

        Settings settings = Benchmark.freshService(work, Map.of());
        try (DanganService service = DanganService.start(settings)) {
            Path inbox = settings.home().resolve("inbox").resolve("registrations");
            // the floor first, on the same empty archive, rolled back
            settle(service, settle);
            Benchmark.Writes beforeFloor = writes(service);
            double floor = floor(service, file);
            String floorWrites = writes(service).since(beforeFloor);
            // check before filing, on the same empty archive: rolled back, so the drop below starts from the same state
            String checkLine = "skipped (--no-check)";
            if (checks) {
                var fileCheck = service.camelContext().getRegistry().lookupByNameAndType("fileCheck", dangan.intake.FileCheck.class);
                long checkNanos = System.nanoTime();
                var checked = fileCheck.check(file, "registrations");
                double check = seconds(checkNanos);
                long warmNanos = System.nanoTime(); // again, with the JIT warm, as the drop below will find it
                fileCheck.check(file, "registrations");
                double checkWarm = seconds(warmNanos);
                checkLine = String.format("%.1f s first, %.1f s again   [%,d lines, %,d new; report %.1f MB]",
                        check, checkWarm, checked.run().read(), checked.run().created(), Files.size(checked.report()) / 1e6);
            }
            settle(service, settle); // the floor's and the checks' aborted rows vacuumed: the ingest meets the empty archive
            Benchmark.Writes beforeIngest = writes(service);
            long autovacuums = autovacuums(service);
            Path dropped = inbox.resolve(file.getFileName());
            Files.copy(file, work.resolve("home").resolve(file.getFileName()));
            long dropNanos = System.nanoTime();
            Files.move(work.resolve("home").resolve(file.getFileName()), dropped, StandardCopyOption.ATOMIC_MOVE);
            while (Files.exists(dropped)) Thread.sleep(50);
            double wall = seconds(dropNanos);

            double ingest;
            String outcome;
            try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select extract(epoch from finished_at - started_at), status, rows_total, rows_new,"
                         + " rows_rejected, warnings from ingest order by id desc limit 1")) {
                rs.next();
                ingest = rs.getDouble(1);
                outcome = String.format("status %s, %,d lines, %,d new, %,d rejected, %,d warnings",
                        rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6));
            }
            String ingestWrites = writes(service).since(beforeIngest);
            long autovacuumsDuring = autovacuums(service) - autovacuums;
            double copy = jdbcCopy(service, file);
            Double psql = psqlCopy(service, file, dangan.store.ArchiveDatabase.storedPassword(settings.home()));
            long heapMax = Runtime.getRuntime().maxMemory() / (1024 * 1024);
            System.out.println();
            System.out.printf("rows                          %,d%n", rows);
            System.out.printf("dangan ingest (ledger: read → filed)     %.1f s   [%s]%n", ingest, outcome);
            System.out.printf("dangan check (ingest check: read → report, rolled back)  %s%n", checkLine);
            System.out.printf("dangan wall time (drop → moved to done)  %.1f s   (includes the 0.2 s settle time)%n", wall);
            System.out.printf("COPY of the same file (JDBC, as \\copy)   %.1f s%n", copy);
            if (psql != null) System.out.printf("psql \\copy of the same file             %.1f s%n", psql);
            System.out.printf("floor: the same filing by set-based SQL  %.1f s   (COPY, insert the customers, visits, preferences, allergies — same tables, indexes, constraints, triggers; no matching, provenance, encryption, audit)%n", floor);
            System.out.printf("ratio ingest / floor                     %.2f× (target ≤ 1.3×)%n", ingest / floor);
            double reference = psql != null ? psql : copy;
            System.out.printf("ratio ingest / %-22s   %.2f× (target ≤ 2×)%n", psql != null ? "psql \\copy" : "COPY", ingest / reference);
            System.out.printf("server writes: ingest %s%s; floor %s%n", ingestWrites,
                    autovacuumsDuring > 0 ? String.format(" (%d autovacuum or autoanalyze runs ended during the ingest)", autovacuumsDuring) : "",
                    floorWrites);
            System.out.printf("archive settled before the floor and the drop  %s%n", settle ? "yes (vacuum (analyze), checkpoint)" : "no (--no-settle)");
            System.out.printf("JVM max heap                  %d MiB%n", heapMax);
        }
    }

    /** The hand-written filing of the file, from floor_stage (the file as COPY reads it). */
    private static final String[] FLOOR = {
            """
            insert into customer (archive_no, name, gender, birth_date, mobile, email, address, id_number_hash, contact_confirmed_at)
            select 'F' || s.mobile, s.name, case s.gender when '男' then 'M' when '女' then 'F' end, s.birth_date::date, s.mobile,
                   s.email, s.address, sha256(convert_to(s.id_number, 'UTF8')), now()
            from floor_stage s""",
            """
            insert into consumption (customer_id, visit_date, amount, service, branch, fact_key)
            select c.id, s.visit_date::date, s.amount::numeric, s.service, s.branch,
                   md5(concat_ws('|', s.visit_date, s.amount, s.service, s.branch))::uuid
            from floor_stage s join customer c on c.mobile = s.mobile""",
            """
            insert into preference (customer_id, category, detail, fact_key)
            select c.id, 'other', s.preferences, md5('other|' || s.preferences)::uuid
            from floor_stage s join customer c on c.mobile = s.mobile where s.preferences is not null""",
            """
            insert into health_fact (customer_id, kind, detail_enc, fact_key)
            select c.id, 'allergy', convert_to(s.allergies, 'UTF8'), sha256(convert_to(s.allergies, 'UTF8'))
            from floor_stage s join customer c on c.mobile = s.mobile where s.allergies is not null"""};

    /** The floor: the file COPYed into a temporary table and filed by FLOOR, timed, then rolled back. */
    private static double floor(DanganService service, Path file) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            long t = System.nanoTime();
            for (String setting : ArchiveMerge.SESSION) s.execute(setting); // the session the merge runs in
            s.execute("create temporary table floor_stage (name text, gender text, birth_date text, mobile text, id_number text,"
                    + " email text, address text, allergies text, preferences text, amount text, visit_date text, service text,"
                    + " branch text) on commit drop");
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy floor_stage from stdin (format csv, header true)", in);
            }
            s.execute("analyze floor_stage");
            for (String statement : FLOOR) s.executeUpdate(statement);
            double took = seconds(t);
            c.rollback();
            return took;
        }
    }

    /** Vacuums and analyses the archive, then a checkpoint (untimed); nothing with {@code --no-settle}. */
    private static void settle(DanganService service, boolean settle) throws Exception {
        if (!settle) return;
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            Benchmark.settle(s, "vacuum (analyze)");
        }
    }

    private static Benchmark.Writes writes(DanganService service) throws Exception {
        try (Connection c = service.database().dataSource().getConnection()) {
            return Benchmark.Writes.now(c);
        }
    }

    private static long autovacuums(DanganService service) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            return Benchmark.autovacuums(s);
        }
    }

    private static double jdbcCopy(DanganService service, Path file) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists bench_copy");
            s.execute(equivalentTable("bench_copy"));
            long t = System.nanoTime();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)", in);
            }
            double took = seconds(t);
            s.execute("drop table bench_copy");
            return took;
        }
    }

    /** psql {@code \\copy} of the file into the embedded server (its password from the home), or null without either. */
    private static Double psqlCopy(DanganService service, Path file, String password) throws Exception {
        Integer port = service.database().embeddedPort();
        String url = port == null ? null : "postgresql://postgres@localhost:" + port + "/dangan";
        if (url == null || password == null || !Psql.onPath("psql")) return null;
        Psql.run(List.of("psql", "-q", url, "-c", "drop table if exists bench_psql", "-c", equivalentTable("bench_psql")), password, true);
        long t = System.nanoTime();
        Psql.run(List.of("psql", "-q", url, "-c", "\\copy bench_psql from '" + file + "' with (format csv, header true)"), password, true);
        double took = seconds(t);
        Psql.run(List.of("psql", "-q", url, "-c", "drop table bench_psql"), password, true);
        return took;
    }

    /** A table with the file's columns, typed as the archive types them. */
    private static String equivalentTable(String name) {
        return "create table " + name + " (name text, gender text, birth_date text, mobile text, id_number text, email text,"
                + " address text, allergies text, preferences text, amount text, visit_date text, service text, branch text)";
    }

    static void generate(Path file, int rows) throws IOException {
        Random random = new Random(42);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (int i = 0; i < rows; i++) {
                boolean withId = i % 10 == 0;
                // IDs unique per row: the birth date and serial follow the row number
                String birth = withId
                        ? LocalDate.of(1950, 1, 1).plusDays((i / 10) % 20_000).toString()
                        : String.format("%d-%02d-%02d", 1950 + random.nextInt(55), 1 + random.nextInt(12), 1 + random.nextInt(28));
                String name = SURNAMES[random.nextInt(SURNAMES.length)] + GIVEN[random.nextInt(GIVEN.length)]
                        + GIVEN[random.nextInt(GIVEN.length)];
                out.write(name);
                out.write(i % 2 == 0 ? ",男," : ",女,");
                out.write(withId ? "" : birth);
                out.write(',');
                out.write(String.format("13%09d", i));
                out.write(',');
                if (withId) out.write(residentId(birth.replace("-", ""), (i / 10) / 20_000 * 2 + (i % 2 == 0 ? 1 : 0)));
                out.write(',');
                if (i % 3 == 0) out.write("guest" + i + "@example.cn");
                out.write(",深圳市福田区" + (i % 500) + "号,");
                if (i % 20 == 0) out.write("花生");
                out.write(',');
                if (i % 4 == 0) out.write("靠窗座位");
                out.write(',');
                out.write(String.valueOf(100 + random.nextInt(2000)));
                out.write(",2023-");
                out.write(String.format("%02d-%02d", 1 + random.nextInt(12), 1 + random.nextInt(28)));
                out.write(',');
                out.write(SERVICES[random.nextInt(SERVICES.length)]);
                out.write(',');
                out.write(BRANCHES[random.nextInt(BRANCHES.length)]);
                out.write('\n');
            }
        }
    }

    /** A checksum-valid 18-digit resident ID with the given birth date; an odd serial is a man's. */
    static String residentId(String yyyymmdd, int serial) {
        String body = "440304" + yyyymmdd + String.format("%03d", serial);
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int i = 0; i < 17; i++) sum += (body.charAt(i) - '0') * weights[i];
        return body + "10X98765432".charAt(sum % 11);
    }



    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

}
