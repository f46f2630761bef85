package dangan.bench;

import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.app.DanganService;
import dangan.config.Settings;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads under load (issue 14: 32 concurrent clients for 60 s sustain ≥ 1,000 reads/s, p99 ≤ 50 ms,
 * every read audited, at most one commit per read). Files test-data/registrations/daily-report-gbk.csv
 * into a fresh Dangan (durable embedded PostgreSQL), adds a service user, then C clients (threads with
 * java.net.http, keep-alive connections) each read {@code GET /api/archives/{no}} of an archive with
 * health data (authenticated, filtered by role, decrypted, audited) one after another for S seconds.
 * The baseline, measured the same way in the same run: {@code GET /api/me} (authentication alone, no
 * archive, no audit entry). Prints throughput, p50/p95/p99/slowest, the reads audited and the audit
 * commits (distinct transactions of the run's audit entries).
 * Run with {@code bench/reads.sh [clients] [seconds]}.
 */
public final class ReadsBenchmark {

    private record Run(long ok, long failed, double seconds, long[] micros) {
        double perSecond() {
            return ok / seconds;
        }

        double percentile(double p) {
            return micros.length == 0 ? Double.NaN : micros[Math.min(micros.length - 1, (int) Math.ceil(micros.length * p) - 1)] / 1000.0;
        }
    }

    private ReadsBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, ReadsBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int clients = (int) Benchmark.count(args, 0, 32);
        int seconds = (int) Benchmark.count(args, 1, 60);
        Path work = Benchmark.workDir("dangan-reads-");
        Settings settings = Benchmark.freshService(work, Map.of());
        try (DanganService service = DanganService.start(settings)) {
            Path dropped = settings.home().resolve("inbox").resolve("registrations").resolve("daily-report-gbk.csv");
            Files.copy(Path.of("test-data", "registrations", "daily-report-gbk.csv"), work.resolve("daily-report-gbk.csv"));
            Files.move(work.resolve("daily-report-gbk.csv"), dropped, StandardCopyOption.ATOMIC_MOVE);
            while (Files.exists(dropped)) Thread.sleep(50);
            String archiveNo = Benchmark.value(service, "select archive_no from customer where mobile = '13800138000'");
            StaffDirectory staff = service.camelContext().getRegistry().lookupByNameAndType("staffDirectory", StaffDirectory.class);
            String token = staff.addUser("bench.service", Role.SERVICE, "bench");
            String base = "http://localhost:" + settings.require("dangan.http.port") + "/api";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest read = HttpRequest.newBuilder(URI.create(base + "/archives/" + archiveNo + "?purpose=bench"))
                    .header("Authorization", "Bearer " + token).GET().build();
            HttpResponse<String> first = http.send(read, HttpResponse.BodyHandlers.ofString());
            if (first.statusCode() != 200 || !first.body().contains("\"health\"")) {
                throw new IllegalStateException("the read answers " + first.statusCode() + ": " + first.body());
            }
            HttpRequest me = HttpRequest.newBuilder(URI.create(base + "/me")).header("Authorization", "Bearer " + token).GET().build();

            warmUp(http, read, clients, Math.max(5, seconds / 6));
            long auditedBefore = Benchmark.number(service, "select count(*) from audit_log where purpose = 'bench'");
            Path postmaster = settings.home().resolve("data").resolve("postgres").resolve("postmaster.pid");
            Cpu cpuBefore = Cpu.now(postmaster);
            Run reads = load(http, read, clients, seconds);
            Cpu cpu = Cpu.now(postmaster).minus(cpuBefore);
            long audited = Benchmark.number(service, "select count(*) from audit_log where purpose = 'bench'") - auditedBefore;
            long commits = Benchmark.number(service, "select count(distinct xmin::text) from (select xmin from audit_log"
                    + " where purpose = 'bench' order by id desc limit " + Math.max(1, audited) + ") r");
            Cpu meBefore = Cpu.now(postmaster);
            Run baseline = load(http, me, clients, seconds);
            Cpu meCpu = Cpu.now(postmaster).minus(meBefore);

            System.out.println();
            System.out.printf("archive %s with health data, read as role service; %d clients, %d s each run, cores %d%n",
                    archiveNo, clients, seconds, Runtime.getRuntime().availableProcessors());
            System.out.printf("%-28s %10s %9s %9s %9s %9s %8s%n", "", "per second", "p50", "p95", "p99", "slowest", "failed");
            print("GET /api/archives/{no}", reads);
            print("GET /api/me (baseline)", baseline);
            System.out.printf("ratio reads / baseline      %.2f× the throughput%n", reads.perSecond() / baseline.perSecond());
            System.out.printf("reads answered 200          %,d; audit entries written %,d (%s)%n", reads.ok(), audited,
                    audited == reads.ok() ? "every read audited" : "MISMATCH");
            System.out.printf("audit commits               %,d (%.3f per read, %.1f entries per commit)%n", commits,
                    (double) commits / Math.max(1, reads.ok()), (double) audited / Math.max(1, commits));
            if (cpu.database() >= 0) {
                System.out.printf("CPU per request             read %.2f ms in this JVM (service and load generator) + %.2f ms in PostgreSQL;"
                        + " baseline %.2f + %.2f ms%n", cpu.jvm() / Math.max(1.0, reads.ok()), cpu.database() / Math.max(1.0, reads.ok()),
                        meCpu.jvm() / Math.max(1.0, baseline.ok()), meCpu.database() / Math.max(1.0, baseline.ok()));
            }
            System.out.printf("machine load average        %.1f (cores %d)%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("target                      ≥ 1,000 reads/s, p99 ≤ 50 ms: %s%n",
                    reads.perSecond() >= 1000 && reads.percentile(0.99) <= 50 ? "met" : "not met");
            if (audited != reads.ok()) {
                throw new IllegalStateException(reads.ok() + " reads answered but " + audited + " audit entries written: every read must be audited");
            }
        }
    }

    /**
     * CPU time spent so far, in milliseconds: by this JVM, and by the embedded PostgreSQL (its server and
     * its backends, live and ended, read from /proc; -1 when not on Linux or not embedded).
     */
    private record Cpu(double jvm, double database) {
        static Cpu now(Path postmasterPid) {
            double jvm = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime() / 1e6;
            try {
                String server = Files.readAllLines(postmasterPid).get(0).strip();
                long ticks = ticks(Path.of("/proc", server, "stat"), true);
                try (var all = Files.list(Path.of("/proc"))) {
                    for (Path proc : all.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                        try {
                            String stat = Files.readString(proc.resolve("stat"));
                            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            if (f[1].equals(server)) ticks += ticks(proc.resolve("stat"), false);
                        } catch (java.io.IOException gone) {
                            // a backend that ended meanwhile: counted in the server's children time
                        }
                    }
                }
                return new Cpu(jvm, ticks * 10.0); // USER_HZ 100
            } catch (Exception notHere) {
                return new Cpu(jvm, -1);
            }
        }

        /** utime + stime (and the ended children's, for the server) of /proc/PID/stat, in clock ticks. */
        private static long ticks(Path stat, boolean withChildren) throws java.io.IOException {
            String text = Files.readString(stat);
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        }

        Cpu minus(Cpu before) {
            return new Cpu(jvm - before.jvm, database < 0 || before.database < 0 ? -1 : database - before.database);
        }
    }

    private static void print(String what, Run run) {
        System.out.printf("%-28s %10.0f %6.1f ms %6.1f ms %6.1f ms %6.1f ms %8d%n", what, run.perSecond(), run.percentile(0.50),
                run.percentile(0.95), run.percentile(0.99), run.micros().length == 0 ? Double.NaN : run.micros()[run.micros().length - 1] / 1000.0,
                run.failed());
    }

    /**
     * The load for {@code seconds}, then again in 2-second rounds until the JIT compilers have (nearly) finished
     * with the read's code — at most 60 s more: on a busy machine compiling takes long, and its CPU would
     * otherwise be counted as the reads'.
     */
    private static void warmUp(HttpClient http, HttpRequest read, int clients, int seconds) throws Exception {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        load(http, read, clients, seconds);
        for (int round = 0; round < 30 && jit.isCompilationTimeMonitoringSupported(); round++) {
            long before = jit.getTotalCompilationTime();
            load(http, read, clients, 2);
            if (jit.getTotalCompilationTime() - before < 100) return; // less than 5 % of the round spent compiling
        }
    }

    /** {@code clients} threads send the request one after another until {@code seconds} have passed. */
    private static Run load(HttpClient http, HttpRequest request, int clients, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong failed = new AtomicLong();
        long started = System.nanoTime();
        long until = started + seconds * 1_000_000_000L;
        List<Future<long[]>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            results.add(pool.submit(() -> {
                long[] micros = new long[1024];
                int n = 0;
                while (System.nanoTime() < until) {
                    long t = System.nanoTime();
                    HttpResponse<Void> answer = http.send(request, HttpResponse.BodyHandlers.discarding());
                    if (answer.statusCode() != 200) {
                        failed.incrementAndGet();
                        continue;
                    }
                    if (n == micros.length) micros = Arrays.copyOf(micros, n * 2);
                    micros[n++] = (System.nanoTime() - t) / 1000;
                }
                return Arrays.copyOf(micros, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : results) all.add(f.get());
        double took = (System.nanoTime() - started) / 1e9;
        pool.shutdown();
        long[] micros = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Run(micros.length, failed.get(), took, micros);
    }
}
