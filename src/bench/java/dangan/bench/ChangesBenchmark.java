package dangan.bench;

import dangan.app.DanganService;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The everyday files against a large archive (issue 14): a base of N customers (default 1,000,000)
 * filed through the real route, then files of known customers whose address changed, of known
 * customers with a new visit each, of new customers, and a daily report (half known with a new
 * address, half new) — each dropped into the running service and timed from the ingest ledger
 * (read → filed), next to its <b>floor</b> measured in the same run on the same database: the same
 * file COPYed into a temporary table and filed with hand-written set-based SQL into the same tables
 * (same indexes, constraints and triggers) — the known customers' address updated ({@code UPDATE … FROM}
 * the staging table, joined on the mobile), the new ones inserted, the visits added — without
 * matching, provenance, encryption or audit, then rolled back so the next file meets the same archive.
 * Prints each figure, its floor, the ratio, and the lines per second at each size.
 * Run with {@code bench/changes.sh [base] [largest file]}, which holds the JVM to -Xmx512m.
 */
public final class ChangesBenchmark {

    private static final String HEADER = "姓名,性别,手机号码,地址,消费日期,消费金额,服务项目,门店";
    private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"};
    private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"};

    /** The hand-written filing of a file staged in floor_stage: what the merge does, without its guarantees. */
    private static final String[] FLOOR = {
            """
            update customer c set address = s.address, contact_confirmed_at = now(), updated_at = now()
            from floor_stage s where c.mobile = s.mobile and c.address is distinct from s.address""",
            """
            insert into customer (archive_no, name, gender, mobile, address, contact_confirmed_at)
            select 'F' || s.mobile, s.name, case s.gender when '男' then 'M' when '女' then 'F' end, s.mobile, s.address, now()
            from floor_stage s where not exists (select 1 from customer c where c.mobile = s.mobile)""",
            """
            insert into consumption (customer_id, visit_date, amount, service, branch, fact_key)
            select c.id, s.visit_date::date, s.amount::numeric, s.service, s.branch,
                   md5(concat_ws('|', s.visit_date, s.amount, s.service, s.branch))::uuid
            from floor_stage s join customer c on c.mobile = s.mobile
            where s.visit_date is not null
            on conflict (customer_id, fact_key) do nothing"""};

    /** What a line of a generated file says about customer i. */
    private enum Kind { NEW, CHANGED, VISIT }

    private record Figure(String file, int lines, double ingest, double floor, String outcome) {
    }

    private ChangesBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, ChangesBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int base = (int) Benchmark.count(args, 0, 1_000_000);
        int largest = (int) Math.min(base, Benchmark.count(args, 1, base));
        Path work = Benchmark.workDir("dangan-changes-");
        Settings settings = Benchmark.freshService(work, Map.of());
        List<Figure> figures = new ArrayList<>();
        try (DanganService service = DanganService.start(settings)) {
            Path inbox = settings.home().resolve("inbox").resolve("registrations");
            Path baseFile = write(work, "base", 0, base, Kind.NEW, 0);
            Figure filed = file(service, work, inbox, baseFile, base, false);
            System.out.printf("base: %,d customers filed in %.1f s [%s]%n", base, filed.ingest(), filed.outcome());
            int round = 0;
            for (int lines = 1_000; lines <= largest; lines *= 10) {
                round++;
                figures.add(file(service, work, inbox, write(work, "changed", 0, lines, Kind.CHANGED, round), lines, true));
                figures.add(file(service, work, inbox, write(work, "visits", 0, lines, Kind.VISIT, round), lines, true));
                figures.add(file(service, work, inbox, write(work, "new", base + round * largest, lines, Kind.NEW, round), lines, true));
            }
            figures.add(file(service, work, inbox, daily(work, base), 1_000, true));
        }
        System.out.println();
        System.out.printf("archive base %,d customers; JVM max heap %d MiB%n", base, Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("%-10s %9s %10s %10s %8s %12s  %s%n", "file", "lines", "ingest", "floor", "ratio", "lines/s", "outcome");
        for (Figure f : figures) {
            System.out.printf("%-10s %,9d %8.2f s %8.2f s %7.2f× %,12.0f  %s%n", f.file(), f.lines(), f.ingest(), f.floor(),
                    f.ingest() / f.floor(), f.lines() / f.ingest(), f.outcome());
        }
    }

    /** Drops the file, waits until the service has moved it, reads the ledger, then times the floor. */
    private static Figure file(DanganService service, Path work, Path inbox, Path file, int lines, boolean floor) throws Exception {
        Path dropped = inbox.resolve(file.getFileName());
        Path aside = work.resolve("home").resolve(file.getFileName());
        Files.copy(file, aside);
        Files.move(aside, dropped, StandardCopyOption.ATOMIC_MOVE);
        while (Files.exists(dropped)) Thread.sleep(20);
        String name = file.getFileName().toString().replaceAll("-.*", "");
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            double ingest;
            String outcome;
            try (ResultSet rs = s.executeQuery("select extract(epoch from finished_at - started_at), status, rows_new,"
                    + " rows_updated, rows_duplicate, rows_rejected, warnings from ingest order by id desc limit 1")) {
                rs.next();
                ingest = rs.getDouble(1);
                outcome = String.format("%s: %,d new, %,d updated, %,d duplicate, %,d rejected, %,d warnings", rs.getString(2),
                        rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getInt(7));
            }
            return new Figure(name, lines, ingest, floor ? floor(c, file) : Double.NaN, outcome);
        }
    }

    /** The floor: COPY into a temporary table and the set-based filing, timed, then rolled back. */
    private static double floor(Connection c, Path file) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            long started = System.nanoTime();
            s.execute("create temporary table floor_stage (name text, gender text, mobile text, address text, visit_date text,"
                    + " amount text, service text, branch text) on commit drop");
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy floor_stage from stdin (format csv, header true)", in);
            }
            s.execute("analyze floor_stage");
            for (String statement : FLOOR) s.executeUpdate(statement);
            return (System.nanoTime() - started) / 1e9;
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    /** Lines for customers from..from+lines: new ones, known ones at a new address, or known ones with a new visit. */
    private static Path write(Path work, String name, int from, int lines, Kind kind, int round) throws IOException {
        Path file = work.resolve(name + "-" + lines + "-" + round + ".csv");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (int i = from; i < from + lines; i++) line(out, i, kind, round);
        }
        return file;
    }

    /** The daily report: 500 known customers at a new address, 500 new ones. */
    private static Path daily(Path work, int base) throws IOException {
        Path file = work.resolve("daily-1000.csv");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (int i = 0; i < 500; i++) line(out, base / 2 + i, Kind.CHANGED, 99);
            for (int i = 0; i < 500; i++) line(out, base * 2 + i, Kind.NEW, 0);
        }
        return file;
    }

    /** Customer i always has the same name, gender and mobile, so a later file matches the archive of an earlier one. */
    private static void line(BufferedWriter out, int i, Kind kind, int round) throws IOException {
        out.write(SURNAMES[i % 15] + GIVEN[(i / 15) % 15] + GIVEN[(i / 225) % 15]);
        out.write(i % 2 == 0 ? ",男," : ",女,");
        out.write(String.format("13%09d", i));
        out.write(kind == Kind.CHANGED ? ",南山区新址" + round + "-" + (i % 700) + "号," : ",深圳市福田区" + (i % 500) + "号,");
        if (kind != Kind.CHANGED) {
            // a new visit: another day in each round
            out.write(String.format("2024-%02d-%02d,%d,精油按摩,福田店", 1 + round % 12, 1 + (i + round) % 28, 100 + i % 900));
        } else {
            out.write(",,,");
        }
        out.write('\n');
    }
}
