package dangan.bench;

import dangan.app.DanganService;
import dangan.archive.ArchiveMerge;
import dangan.config.Settings;
import org.postgresql.PGConnection;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The README's ingest table (issue 14): lines per second of new, changed and visit-only files at
 * 10³, 10⁴, 10⁵ lines (10⁶ with {@code --million}), each next to its <b>floor</b>, and the daily file
 * (half known customers with a new address, half new) — all dropped into the running service on an
 * archive base of {@code --base} customers (default 1,000,000), timed from the ingest ledger (read →
 * filed) and from the drop to the move into {@code done/}.
 * <p>
 * The floor of each file is measured in the same run on the same database: the same file COPYed
 * into a temporary table and filed with hand-written set-based SQL into the same tables (same indexes,
 * constraints and triggers) — the known customers' address updated ({@code UPDATE … FROM} the staging
 * table, joined on the mobile), the new ones inserted, the visits added — without matching,
 * provenance, encryption or audit, in a session set as the merge's is (work_mem, random_page_cost), then
 * rolled back and its dead row versions vacuumed, so the ingest meets the same archive. Before each floor the whole
 * archive is vacuumed and analysed (untimed), so autovacuum does not run during one of the two and not the other.
 * <p>
 * The base is filed once through the real route and kept (the stopped service's whole home:
 * database, master key) under {@code --cache} (default {@code target/bench-cache/base-N-V<schema>}); each run
 * starts on a copy of it, so the 1,000,000-archive base costs its filing once. Run with
 * {@code bench/table.sh [--base N] [--million] [--sizes 1000,10000] [--kinds new,changed,visit,new-id] [--daily N] [--cache DIR] [--rebuild] [--no-settle]},
 * which holds the JVM to -Xmx512m.
 */
public final class TableBenchmark {

    private static final String HEADER = "姓名,性别,手机号码,地址,消费日期,消费金额,服务项目,门店";
    /** The columns of floor_stage, as the file has them. */
    private static final String STAGED = "name, gender, mobile, address, visit_date, amount, service, branch";
    private static final String[] SURNAMES = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"};
    private static final String[] GIVEN = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"};

    /**
     * Before each file (untimed): the archive vacuumed and analysed, as autovacuum would leave it. Otherwise autovacuum
     * runs when it likes — on the base as copied (its 1,000,000 archives and visits never vacuumed nor analysed), on the
     * dead rows the last ingest left — and a 1,000,000-line file met it in the middle of its ingest but not of its floor.
     */
    private static final String SETTLE = "vacuum (analyze)";
    /**
     * After the floor's rollback (untimed): its aborted row versions removed, so the ingest meets the archive as it was.
     * Left there, 1,000,000 of them (a changed file of 10⁶ lines) are over autovacuum's threshold (a fifth of the
     * table), and autovacuum cleaned them up during the ingest, on the same two cores. Then, as before the floor, a
     * checkpoint: the floor's 1 GB of WAL (and the vacuum's) no longer brings the ingest's first checkpoint forward.
     */
    private static final String SETTLE_FLOOR = "vacuum customer, consumption";

    /** The hand-written filing of a file staged in floor_stage: what the merge does, without its guarantees. */
    private static final String[] FLOOR = {
            """
            update customer c set address = s.address, contact_confirmed_at = now(), updated_at = now()
            from floor_stage s where c.mobile = s.mobile and s.address is not null and c.address is distinct from s.address""",
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

    /**
     * With ID numbers the floor keeps each in the same columns and unique index as the merge (its hash; the
     * number itself, unencrypted, where the merge keeps it sealed): the same filing, without encryption or keys.
     */
    private static final String FLOOR_NO_ID = "insert into customer (archive_no, name, gender, mobile, address, contact_confirmed_at)\n"
            + "select 'F' || s.mobile, s.name, case s.gender when '男' then 'M' when '女' then 'F' end, s.mobile, s.address, now()";
    private static final String FLOOR_ID = "insert into customer (archive_no, name, gender, mobile, address, contact_confirmed_at,"
            + " id_number_hash, id_number_enc, id_number_masked)\n"
            + "select 'F' || s.mobile, s.name, case s.gender when '男' then 'M' when '女' then 'F' end, s.mobile, s.address, now(),"
            + " decode(md5(s.id_number), 'hex'), convert_to(s.id_number, 'UTF8'), left(s.id_number, 3) || '***' || right(s.id_number, 4)";

    /** What a line of a generated file says about customer i. */
    private enum Kind {
        /** a customer the archive does not know, with a visit */
        NEW("new customers, a visit each"),
        /** a known customer at a new address */
        CHANGED("known customers, address changed"),
        /** a known customer with a new visit, nothing else changed */
        VISIT("known customers, a new visit each"),
        /** a customer the archive does not know, with an ID number (sealed under a key of its own) and a visit; only with --kinds */
        NEW_ID("new customers with an ID number, a visit each");

        final String shown;

        Kind(String shown) {
            this.shown = shown;
        }
    }

    private record Figure(String file, int lines, double ingest, double wall, double floor, String outcome) {
    }

    private record Options(int base, List<Integer> sizes, int dailies, Path cache, boolean rebuild, List<Kind> kinds, boolean settle) {
        static Options of(String[] args) {
            int base = 1_000_000;
            List<Integer> sizes = new ArrayList<>(List.of(1_000, 10_000, 100_000));
            int dailies = 3;
            Path cache = Path.of("target", "bench-cache");
            boolean rebuild = false;
            boolean settle = true;
            List<Kind> kinds = List.of(Kind.NEW, Kind.CHANGED, Kind.VISIT);
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--kinds" -> kinds = Arrays.stream(args[++i].split(",")).map(k -> Kind.valueOf(k.strip().toUpperCase().replace('-', '_'))).toList();
                    case "--base" -> base = (int) Benchmark.count(args, ++i, base);
                    case "--million" -> sizes.add(1_000_000);
                    case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).map(s -> (int) Benchmark.count(new String[]{s}, 0, 0)).toList();
                    case "--daily" -> dailies = (int) Benchmark.count(args, ++i, dailies);
                    case "--cache" -> cache = Path.of(args[++i]);
                    case "--rebuild" -> rebuild = true;
                    case "--no-settle" -> settle = false; // as before round 8: autovacuum when it likes, the floor's dead rows left
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (bench/table.sh [--base N] [--million] [--sizes 1000,10000] [--kinds new,changed,visit,new-id] [--daily N]"
                            + " [--cache DIR] [--rebuild] [--no-settle])");
                }
            }
            return new Options(base, List.copyOf(sizes), dailies, cache.toAbsolutePath(), rebuild, kinds, settle);
        }
    }

    private TableBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, TableBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        Options o = Options.of(args);
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        String baseNote = cachedBase(o);
        Path work = Benchmark.workDir("dangan-table-");
        copy(baseDir(o).resolve("home"), work.resolve("home"));
        Settings settings = Benchmark.freshService(work, Map.of());
        List<Figure> figures = new ArrayList<>();
        int largest = o.sizes().stream().max(Integer::compare).orElse(1_000);
        try (DanganService service = DanganService.start(settings)) {
            Path inbox = settings.home().resolve("inbox").resolve("registrations");
            int round = 0;
            for (int lines : o.sizes()) {
                round++;
                for (Kind kind : List.of(Kind.CHANGED, Kind.VISIT)) {
                    if (lines <= o.base() && o.kinds().contains(kind)) {
                        figures.add(file(service, work, inbox, write(work, kind, 0, lines, round), kind.shown, lines, o.settle()));
                    }
                }
                int fresh = o.base() + round * largest; // never a customer of the base or of another new file
                if (o.kinds().contains(Kind.NEW)) {
                    figures.add(file(service, work, inbox, write(work, Kind.NEW, fresh, lines, round), Kind.NEW.shown, lines, o.settle()));
                }
                if (o.kinds().contains(Kind.NEW_ID)) { // customers of neither the base, the new files nor the daily ones
                    int others = o.base() + (o.sizes().size() + 2 + round) * largest;
                    figures.add(file(service, work, inbox, write(work, Kind.NEW_ID, others, lines, round), Kind.NEW_ID.shown, lines, o.settle()));
                }
            }
            for (int d = 0; d < o.dailies(); d++) {
                figures.add(file(service, work, inbox, daily(work, o.base(), o.base() + (o.sizes().size() + 1) * largest, d),
                        "daily: 500 known with a new address, 500 new", 1_000, o.settle()));
            }
        }
        String loadAfter = loadAverage();
        System.out.println();
        System.out.printf("%s, %s, %d cores (%s); load average before %s, after %s; %.1f min in all%n",
                OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                InetAddress.getLocalHost().getHostName(), Runtime.getRuntime().availableProcessors(), cpuModel(),
                loadBefore, loadAfter, (System.nanoTime() - started) / 60e9);
        System.out.printf("archive base %,d customers (%s); JVM max heap %d MiB%n", o.base(), baseNote,
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.println();
        System.out.println("| file | lines | ingest (read → filed) | drop → done | floor | ratio | lines/s |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Figure f : figures) {
            System.out.printf("| %s | %,d | %.2f s | %.2f s | %.2f s | %.1f× | %,.0f |%n", f.file(), f.lines(), f.ingest(), f.wall(),
                    f.floor(), f.ingest() / f.floor(), f.lines() / f.ingest());
        }
        System.out.println();
        for (Figure f : figures) System.out.printf("%s, %,d lines: %s%n", f.file(), f.lines(), f.outcome());
        System.out.println("(drop → done includes the settle time of the benchmark's service, dangan.intake.settle-ms=200, and its poll delay of 100 ms)");
    }

    /**
     * The cached base of {@code o.base()} customers: filed once through the real route into a fresh
     * service whose stopped home is kept; built when missing (or asked to). Says how it was built.
     */
    private static String cachedBase(Options o) throws Exception {
        Path dir = baseDir(o);
        Path note = dir.resolve("built.txt");
        if (!o.rebuild() && Files.exists(note)) return "cached: " + Files.readString(note).strip();
        Path building = dir.resolveSibling(dir.getFileName() + ".building");
        delete(building);
        delete(dir);
        Files.createDirectories(building);
        Settings settings = Benchmark.freshService(building, Map.of());
        String built;
        try (DanganService service = DanganService.start(settings)) {
            Path file = write(building, Kind.NEW, 0, o.base(), 0);
            Figure filed = file(service, building, settings.home().resolve("inbox").resolve("registrations"), file, "base", o.base(), false, o.settle());
            if (!filed.outcome().startsWith("done: " + String.format("%,d", o.base()) + " new")) {
                throw new IllegalStateException("the base was not filed whole: " + filed.outcome());
            }
            built = String.format("filed through the route in %.1f s on %s", filed.ingest(),
                    OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        }
        Files.writeString(building.resolve("built.txt"), built + "\n");
        Files.move(building, dir, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("base: %,d customers %s, kept in %s%n", o.base(), built, dir);
        return "built now: " + built;
    }

    /**
     * Where the base of this size and schema is kept: a base filed by a version with other migrations is
     * filed again rather than migrated (its data would not be what this version files).
     */
    private static Path baseDir(Options o) throws IOException {
        int schema;
        try (var migrations = Files.list(Path.of("src", "main", "resources", "db", "migration"))) {
            schema = migrations.map(m -> m.getFileName().toString()).filter(n -> n.matches("V\\d+__.*"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElse(0);
        }
        return o.cache().resolve("base-" + o.base() + "-V" + schema);
    }

    private static Figure file(DanganService service, Path work, Path inbox, Path file, String shown, int lines, boolean settle)
            throws Exception {
        return file(service, work, inbox, file, shown, lines, true, settle);
    }

    /**
     * Times the floor (rolled back: the archive is as it was), then drops the file, waits until the
     * service has moved it and reads the ledger. The floor goes first: after the ingest the changed
     * lines would change nothing left to change.
     */
    private static Figure file(DanganService service, Path work, Path inbox, Path file, String shown, int lines, boolean floor,
                               boolean settle) throws Exception {
        double floorSeconds = Double.NaN;
        long autovacuums;
        String floorWrites = "";
        Benchmark.Writes beforeIngest;
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            // the floor and the ingest meet the same settled archive, each at the start of a checkpoint cycle
            if (settle) Benchmark.settle(s, SETTLE);
            if (floor) {
                Benchmark.Writes before = Benchmark.Writes.now(c);
                floorSeconds = floor(c, file);
                floorWrites = "; floor " + Benchmark.Writes.now(c).since(before);
                if (settle) Benchmark.settle(s, SETTLE_FLOOR);
            }
            autovacuums = Benchmark.autovacuums(s);
            beforeIngest = Benchmark.Writes.now(c);
        }
        Path dropped = inbox.resolve(file.getFileName());
        Path aside = work.resolve("home").resolve(file.getFileName());
        Files.copy(file, aside);
        long dropped_at = System.nanoTime();
        Files.move(aside, dropped, StandardCopyOption.ATOMIC_MOVE);
        while (Files.exists(dropped)) Thread.sleep(10);
        double wall = (System.nanoTime() - dropped_at) / 1e9;
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
            long during = Benchmark.autovacuums(s) - autovacuums;
            if (during > 0) outcome += String.format(" (%d autovacuum or autoanalyze runs ended during the ingest)", during);
            Figure figure = new Figure(shown, lines, ingest, wall, floorSeconds, outcome);
            System.out.printf("%s, %,d lines: %.2f s (floor %.2f s) — %s%n", shown, lines, ingest, figure.floor(), outcome);
            System.out.printf("    server writes: ingest %s%s%n", Benchmark.Writes.now(c).since(beforeIngest), floorWrites);
            Files.delete(file);
            return figure;
        }
    }

    /** The floor: COPY into a temporary table and the set-based filing, timed, then rolled back (it must change every changed line). */
    private static double floor(Connection c, Path file) throws Exception {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            long started = System.nanoTime();
            // the session the merge runs in (ArchiveMerge): sorts and hashes in memory, indexes read as cached
            for (String setting : ArchiveMerge.SESSION) s.execute(setting);
            s.execute("create temporary table floor_stage (name text, gender text, mobile text, address text, visit_date text,"
                    + " amount text, service text, branch text, id_number text) on commit drop");
            boolean ids = Files.readAllLines(file, StandardCharsets.UTF_8).get(0).contains("身份证号");
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy floor_stage (" + STAGED + (ids ? ", id_number" : "")
                        + ") from stdin (format csv, header true)", in);
            }
            s.execute("analyze floor_stage");
            for (String statement : FLOOR) {
                String sql = ids ? statement.replace(FLOOR_NO_ID, FLOOR_ID) : statement;
                if (ids && statement.startsWith("insert into customer") && sql.equals(statement)) {
                    throw new IllegalStateException("the floor's customer insert did not take the ID numbers");
                }
                s.executeUpdate(sql);
            }
            return (System.nanoTime() - started) / 1e9;
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    /** Lines for customers from..from+lines: new ones, known ones at a new address, or known ones with a new visit. */
    private static Path write(Path work, Kind kind, int from, int lines, int round) throws IOException {
        Path file = work.resolve(kind.name().toLowerCase() + "-" + lines + "-" + round + ".csv");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(kind == Kind.NEW_ID ? HEADER + ",身份证号" : HEADER);
            out.write('\n');
            for (int i = from; i < from + lines; i++) line(out, i, kind, round);
        }
        return file;
    }

    /** Daily report number d: 500 known customers at a new address, 500 new ones (from {@code fresh} on). */
    private static Path daily(Path work, int base, int fresh, int d) throws IOException {
        Path file = work.resolve("daily-1000-" + d + ".csv");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (int i = 0; i < 500; i++) line(out, base / 2 + d * 500 + i, Kind.CHANGED, 90 + d);
            for (int i = 0; i < 500; i++) line(out, fresh + d * 500 + i, Kind.NEW, 0);
        }
        return file;
    }

    /** Customer i always has the same name, gender and mobile, so a later file matches the archive of an earlier one. */
    private static void line(BufferedWriter out, int i, Kind kind, int round) throws IOException {
        out.write(SURNAMES[i % 15] + GIVEN[(i / 15) % 15] + GIVEN[(i / 225) % 15]);
        out.write(i % 2 == 0 ? ",男," : ",女,");
        out.write(String.format("13%09d", i));
        switch (kind) {
            case NEW, NEW_ID -> out.write(",深圳市福田区" + (i % 500) + "号,");
            case CHANGED -> out.write(",南山区新址" + round + "-" + (i % 700) + "号,");
            case VISIT -> out.write(",,"); // no address: the line says only who came and what they had
        }
        if (kind != Kind.CHANGED) {
            // a new visit: another day in each round
            out.write(String.format("2024-%02d-%02d,%d,精油按摩,福田店", 1 + round % 12, 1 + (i + round) % 28, 100 + i % 900));
        } else {
            out.write(",,,");
        }
        if (kind == Kind.NEW_ID) out.write("," + residentId(i));
        out.write('\n');
    }

    /**
     * Customer i's resident ID (GB 11643): 福田 440304, a birth date from 1950 on, a sequence whose parity is the
     * gender the line gives (odd: male), the ISO 7064 check character. Distinct for i below 10,000,000.
     */
    static String residentId(int i) {
        String body = "440304" + java.time.LocalDate.of(1950, 1, 1).plusDays(i % 20_000).format(DateTimeFormatter.BASIC_ISO_DATE)
                + String.format("%03d", (i / 20_000) % 500 * 2 + (i % 2 == 0 ? 1 : 0));
        int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
        int sum = 0;
        for (int k = 0; k < 17; k++) sum += (body.charAt(k) - '0') * weights[k];
        return body + "10X98765432".charAt(sum % 11);
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Process p = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("could not copy the cached base " + from + " to " + to);
    }

    private static void delete(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        Process p = new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("could not remove " + dir);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.replaceFirst("^[^:]*:\\s*", "")).findFirst().orElse("cpu unknown");
        } catch (IOException e) {
            return "cpu unknown";
        }
    }
}
