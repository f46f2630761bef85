package dangan.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The real service as a separate process — {@code java -cp <the test JVM's class path> dangan.app.Dangan} (its folders as
 * jars, with the service's classes shared: {@link SharedClasses}),
 * or another main class — so a trial can kill it (kill -9), stop it (SIGTERM) and start it again on the
 * same {@code DANGAN_HOME} and database. Settings are passed as {@code -D} (they win over the file);
 * the process runs in the project folder (config/, routes/) and logs into {@code home/service-N.log}.
 */
public final class ServiceProcess implements AutoCloseable {

    /** What the service logs once it runs (its banner up to the folder), in Chinese: the trials run with the default language. */
    public static final String READY = dangan.i18n.Messages.of(dangan.i18n.Language.ZH).pattern("log.app.running").split("\\{")[0];
    /** Every process a trial launched: those still alive when the test JVM ends are killed with it. */
    private static final Set<Process> LAUNCHED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LAUNCHED.forEach(Process::destroyForcibly), "service-processes"));
    }
    /** How long a start may take at most: minutes when eight builds share the 2-core machine (an upper bound, never a wait). */
    public static final Duration START = Duration.ofSeconds(360);

    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The settings a trial's service runs with: quick polling, a test master key, a free HTTP port. */
    public static Map<String, String> settings(Path home, Map<String, String> overrides) throws IOException {
        Map<String, String> settings = new HashMap<>();
        settings.put("dangan.home", home.toString());
        settings.put("dangan.master-key", RunningService.TEST_MASTER_KEY);
        settings.put("dangan.intake.settle-ms", "200");
        settings.put("dangan.intake.poll-ms", "100");
        settings.put("dangan.intake.release-delay-ms", "1000"); // a claim outlives the move by ten polls; a stop waits for it
        settings.put("dangan.db.embedded.durable", "false");
        settings.put("dangan.http.port", String.valueOf(RunningService.freePort()));
        settings.putAll(overrides);
        return settings;
    }

    /** Starts the service and waits until it says it is running. */
    public static ServiceProcess start(Path home, Map<String, String> overrides) throws IOException {
        ServiceProcess started = launch(home, settings(home, overrides), "dangan.app.Dangan", List.of());
        try {
            started.awaitLog(READY, START);
        } catch (RuntimeException | Error notStarted) {
            started.process.destroyForcibly(); // a service that never said it runs is not left behind with no parent
            throw notStarted;
        }
        return started;
    }

    /** Starts {@code mainClass} with the settings as {@code -D} and the arguments; does not wait. */
    public static ServiceProcess launch(Path home, Map<String, String> settings, String mainClass, List<String> args)
            throws IOException {
        return launch(home, settings, mainClass, args, SharedClasses.options());
    }

    private static ServiceProcess launch(Path home, Map<String, String> settings, String mainClass, List<String> args,
                                         List<String> jvmOptions) throws IOException {
        Files.createDirectories(home);
        Path log;
        synchronized (ServiceProcess.class) {
            int n = 1;
            while (Files.exists(home.resolve("service-" + n + ".log"))) n++;
            log = Files.createFile(home.resolve("service-" + n + ".log"));
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Duser.timezone=Asia/Shanghai", "-Dfile.encoding=UTF-8"));
        command.addAll(jvmOptions);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-cp", SharedClasses.classPath(), mainClass));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        LAUNCHED.add(process);
        return new ServiceProcess(process, log);
    }

    /** Waits until the log has a line containing {@code text}; fails early when the process ended. */
    public void awaitLog(String text, Duration timeout) {
        await(text + " in " + log).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (log().contains(text)) return true;
            if (!process.isAlive()) throw new AssertionError("the process ended (" + process.exitValue() + ") before '" + text + "':\n" + tail());
            return false;
        });
    }

    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The last lines of the log, for a failure message. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9: no hook runs, nothing is stopped in order. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the process to end; returns its exit status, or -1 when it did not end in time. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Waits for the process to end by itself; its exit status, or -1 when it did not end in time. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }

    /**
     * Class data sharing for the service processes, whose start is mostly loading and verifying classes (about 3.4 s
     * of CPU): the classes of one whole service start are archived once per test JVM, and every process launched once
     * the archive is there maps them ({@code -XX:SharedArchiveFile}) — about 0.8 s of CPU less per start. The archive
     * is made by a service process of its own, started in the background with the first launch: on a fresh database
     * and home under {@code target/}, it starts, is stopped in order, and writes the archive at its exit
     * ({@code -XX:ArchiveClassesAtExit}); no trial's process does it, so no trial's timing changes. An archive takes
     * classes from jars only, so {@code target/classes} and {@code target/test-classes} are handed to every process
     * as jars of themselves, made once per test JVM and removed with the rest when it ends. Until the archive is
     * there, or if a JVM cannot use it ({@code -Xshare:auto}), a process starts as before; the JVM's own lines about
     * the archive are off ({@code -Xlog:cds*=off}): the service's log is the service's.
     */
    private static final class SharedClasses {

        private static Path folder;
        private static String classPath;
        private static boolean making;

        /** The test JVM's class path, its folders as jars of themselves. */
        static synchronized String classPath() throws IOException {
            if (classPath != null) return classPath;
            Path made = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "service-classes-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> remove(made), "service-classes"));
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(entry);
                if (!Files.isDirectory(p)) {
                    entries.add(entry);
                    continue;
                }
                Path jar = made.resolve((n++) + "-" + p.getFileName() + ".jar");
                jar(p, jar);
                entries.add(jar.toAbsolutePath().toString());
            }
            folder = made;
            classPath = String.join(java.io.File.pathSeparator, entries);
            return classPath;
        }

        /** The options of a process launched now: the archive when it is there; the first call starts making it. */
        static synchronized List<String> options() throws IOException {
            classPath();
            Path archive = folder.resolve("service.jsa");
            if (Files.isRegularFile(archive)) return List.of("-Xlog:cds*=off", "-XX:SharedArchiveFile=" + archive.toAbsolutePath());
            if (!making) {
                making = true;
                Thread maker = new Thread(() -> make(archive), "service-class-archive");
                maker.setDaemon(true);
                maker.start();
            }
            return List.of("-Xlog:cds*=off");
        }

        /** A whole service start, stopped in order, writing the archive at its exit; then the archive goes into place. */
        private static void make(Path archive) {
            Path writing = archive.resolveSibling("service.jsa.part");
            try {
                Path home = folder.resolve("home");
                ServiceProcess maker = launch(home, settings(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(),
                        "dangan.db.user", "postgres")), "dangan.app.Dangan", List.of(),
                        List.of("-Xlog:cds*=off", "-XX:ArchiveClassesAtExit=" + writing.toAbsolutePath()));
                try {
                    maker.awaitLog(READY, START);
                } finally {
                    maker.terminate(Duration.ofSeconds(180));
                }
                if (Files.isRegularFile(writing) && Files.size(writing) > 0) {
                    Files.move(writing, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (Exception | AssertionError e) {
                // no archive: the processes start as before
            }
        }

        private static void jar(Path dir, Path jar) throws IOException {
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                 var files = Files.walk(dir)) {
                out.setLevel(java.util.zip.Deflater.BEST_SPEED);
                for (Path f : files.filter(f -> !f.equals(dir)).sorted().toList()) {
                    // folders too: a resource folder is looked up by its name (Flyway's classpath:db/migration)
                    String name = dir.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                    boolean isFolder = Files.isDirectory(f);
                    out.putNextEntry(new java.util.jar.JarEntry(isFolder ? name + "/" : name));
                    if (!isFolder) Files.copy(f, out);
                    out.closeEntry();
                }
            }
        }

        private static void remove(Path made) {
            try (var all = Files.walk(made)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException e) {
                // the JVM is going away
            }
        }
    }
}
