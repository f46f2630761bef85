package dangan.bench;

import dangan.app.DanganService;
import dangan.config.Settings;
import dangan.jobs.JobDate;
import dangan.reminders.ReminderJobs;
import dangan.reminders.ReminderSettings;
import dangan.store.ArchiveDatabase;
import dangan.store.Db;
import dangan.store.SqlScript;
import dangan.tiers.TierRules;
import org.jdbi.v3.core.Jdbi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scheduled-job benchmark: fills a fresh Dangan (embedded PostgreSQL unless DANGAN_DB_URL is set)
 * with N archives and M consumption records, generated set-based in the database, then times each
 * job named (default: annual-tier-review visit-plan) run through the service ({@code direct:job-NAME})
 * next to its SQL script ({@code sql/NAME.sql}) run directly in psql (or over JDBC when psql is not
 * on the PATH). Run with {@code bench/schedule.sh [archives] [consumption] [JOB…]}, which holds
 * the JVM to -Xmx512m.
 */
public final class ScheduleBenchmark {

    private static final Pattern PARAMETER = Pattern.compile(":'([a-z_][a-z0-9_]*)'");

    private ScheduleBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, ScheduleBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        long archives = Benchmark.count(args, 0, 1_000_000);
        long consumption = Benchmark.count(args, 1, 10_000_000);
        List<String> jobs = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("annual-tier-review", "visit-plan");

        Path work = Benchmark.workDir("dangan-schedule-bench-");
        // a throw-away database: generation need not survive a crash
        Settings settings = Benchmark.freshService(work, Map.of("dangan.db.embedded.durable", "false"));
        LocalDate asOf = LocalDate.now(settings.zone()).plusDays(1);
        List<String> results = new ArrayList<>();
        try (DanganService service = DanganService.start(settings)) {
            long t0 = System.nanoTime();
            generate(service, archives, consumption, asOf);
            System.out.printf("generated %,d archives and %,d consumption records in %.1f s%n", archives, consumption, seconds(t0));
            String url = psqlUrl(service);
            for (String job : jobs) {
                results.addAll(benchmark(service, settings, job, asOf, url, work));
            }
        }
        System.out.println();
        System.out.printf("archives                      %,d%n", archives);
        System.out.printf("consumption records           %,d%n", consumption);
        System.out.printf("as of                         %s%n", asOf);
        results.forEach(System.out::println);
        System.out.printf("JVM max heap                  %d MiB%n", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }

    /** Archives with spread tiers and flags; visits skewed (a few regulars, many rare guests) over two years. */
    private static void generate(DanganService service, long archives, long consumption, LocalDate asOf) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("select setseed(0.42)");
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into customer (archive_no, name, mobile, tier, key_decision_maker, important_organisation, out_of_province,
                                          source_line)
                    select 'BENCH' || lpad(g::text, 9, '0'), '客' || g, '19' || lpad(g::text, 9, '0'),
                           (array['A','B','C','D','E'])[1 + g % 5], g % 97 = 0, g % 53 = 0, g % 41 = 0, g::int
                    from generate_series(1, ?) g""")) {
                ps.setLong(1, archives);
                ps.executeUpdate();
            }
            long first;
            try (ResultSet rs = s.executeQuery("select min(id) from customer")) {
                rs.next();
                first = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into consumption (customer_id, visit_date, amount, service, fact_key)
                    select ? + floor(? * power(random(), 3))::bigint, ?::date - 1 - floor(random() * 730)::int,
                           (20 + floor(random() * 400))::numeric(12, 2), '客房', md5(g::text)::uuid
                    from generate_series(1, ?) g""")) {
                ps.setLong(1, first);
                ps.setLong(2, archives);
                ps.setObject(3, asOf);
                ps.setLong(4, consumption);
                ps.executeUpdate();
            }
            // marketing needs consent (PIPL, V12): every generated archive has given it
            s.execute("insert into consent (customer_id, purpose, granted, source) select id, 'marketing', true, 'bench'"
                    + " from customer where archive_no like 'BENCH%'");
            s.execute("vacuum analyze consent");
            s.execute("vacuum analyze customer");
            s.execute("vacuum analyze consumption");
        }
    }

    private static List<String> benchmark(DanganService service, Settings settings, String job, LocalDate asOf, String url,
                                          Path work) throws Exception {
        List<String> out = new ArrayList<>();
        if (ScheduleBenchmark.class.getClassLoader().getResource("sql/" + job + ".sql") == null) {
            out.add(String.format("%-36s skipped: no src/main/resources/sql/%s.sql on this branch", job, job));
            return out;
        }
        if (service.camelContext().getRoute("job-" + job) == null) {
            out.add(String.format("%-36s skipped: no route job-%s", job, job));
            return out;
        }
        SqlScript script = SqlScript.load(job);
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (job.equals("annual-tier-review")) {
            parameters.putAll(TierRules.from(settings).reviewParameters(asOf, "benchmark"));
        } else if (job.equals("visit-plan")) {
            parameters.putAll(ReminderJobs.visitPlanParameters(ReminderSettings.of(settings), asOf));
        } else {
            parameters.put("as_of", asOf.toString());
        }
        Set<String> needed = new LinkedHashSet<>();
        Matcher m = PARAMETER.matcher(script.text());
        while (m.find()) needed.add(m.group(1));
        needed.removeAll(parameters.keySet());
        if (!needed.isEmpty()) {
            out.add(String.format("%-36s direct run skipped: the script needs parameters %s the benchmark does not know", job, needed));
        }
        Path file = work.resolve(job + ".sql");
        Files.writeString(file, script.text(), StandardCharsets.UTF_8);

        Double warm = needed.isEmpty() ? direct(service, script, parameters, url, file) : null; // warm-up, not counted
        reset(service, job);
        long t = System.nanoTime();
        Object body = service.camelContext().createProducerTemplate().requestBodyAndHeader("direct:job-" + job, null, JobDate.HEADER, asOf);
        double viaService = seconds(t);
        String outcome = body == null ? "" : body.toString();
        reset(service, job);
        Double direct = needed.isEmpty() ? direct(service, script, parameters, url, file) : null;
        reset(service, job);
        out.add(String.format("%-36s %.2f s   [%s]", job + " via the service", viaService,
                outcome.length() > 160 ? outcome.substring(0, 160) + "…" : outcome));
        if (direct != null) {
            out.add(String.format("%-36s %.2f s   (warm-up run %.2f s, not counted)", job + (url != null ? " in psql" : " over JDBC"),
                    direct, warm));
            out.add(String.format("%-36s %.2f× (target ≤ 1.5×)", "ratio service / direct", viaService / direct));
        }
        if (!job.equals("annual-tier-review") && !job.equals("visit-plan")) {
            out.add(String.format("%-36s note: output of %s is not reset between runs; a run that finds its work done is cheaper", "", job));
        }
        return out;
    }

    /** Removes what a run filed so the next run does the same work. */
    private static void reset(DanganService service, String job) throws Exception {
        try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            if (job.equals("annual-tier-review")) {
                s.execute("delete from tier_proposal_line");
                s.execute("delete from tier_proposal");
            } else if (job.equals("visit-plan")) {
                s.execute("delete from reminder where kind = 'visit'");
            }
        }
    }

    private static double direct(DanganService service, SqlScript script, Map<String, Object> parameters, String url, Path file)
            throws Exception {
        if (url != null) {
            List<String> command = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"));
            parameters.forEach((k, v) -> {
                command.add("-v");
                command.add(k + "=" + v);
            });
            command.addAll(List.of("-f", file.toString(), url));
            long t = System.nanoTime();
            // the embedded server takes password (SCRAM) connections only: its password in psql's environment
            Psql.run(command, ArchiveDatabase.storedPassword(service.settings().home()), false);
            return seconds(t);
        }
        Jdbi jdbi = Db.jdbi(service.database().dataSource());
        long t = System.nanoTime();
        jdbi.useHandle(h -> script.update(h, parameters).execute());
        return seconds(t);
    }

    private static String psqlUrl(DanganService service) {
        Integer port = service.database().embeddedPort();
        if (port == null || !Psql.onPath("psql")) return null;
        return "postgresql://postgres@localhost:" + port + "/dangan";
    }


    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
