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
 * The real service as a separate process — {@code java -cp <the test JVM's class path> dangan.app.Dangan},
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
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
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
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Waits for the process to end by itself; its exit status, or -1 when it did not end in time. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
