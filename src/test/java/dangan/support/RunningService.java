package dangan.support;

import dangan.app.DanganService;
import dangan.config.Settings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The real service — real config, real YAML routes, real PostgreSQL — on a temporary
 * DANGAN_HOME, with the helpers a test needs to drop files and look at what came of them.
 * One service for a whole test class, in a home of its own removed after the class's last test:
 * <pre>{@code
 * @RegisterExtension
 * static final RunningService dangan = RunningService.perClass();
 * }</pre>
 */
public final class RunningService implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    /** A fixed master key for tests (base64 of 32 bytes). */
    public static final String TEST_MASTER_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private DanganService service;
    private Path home;
    private final java.util.function.Supplier<Map<String, String>> overrides;

    private RunningService(DanganService service, Path home) {
        this(service, home, RunningService::freshDatabase);
    }

    private RunningService(DanganService service, Path home, java.util.function.Supplier<Map<String, String>> overrides) {
        this.service = service;
        this.home = home;
        this.overrides = overrides;
    }

    /** A service the test class's extension starts before its first test and stops after its last (see above). */
    public static RunningService perClass() {
        return new RunningService(null, null);
    }

    /**
     * As {@link #perClass()}, on a fresh database with these settings of the class's own, asked for when the service
     * starts (after the extensions registered before it, e.g. a mail server whose port they name:
     * {@code @Order} the {@code @RegisterExtension} fields).
     */
    public static RunningService perClass(java.util.function.Supplier<Map<String, String>> settings) {
        return new RunningService(null, null, () -> {
            Map<String, String> all = freshDatabase();
            all.putAll(settings.get());
            return all;
        });
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        home = Files.createTempDirectory("junit-service-");
        service = start(home, overrides.get()).service;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (service != null) close();
        } finally {
            try (Stream<Path> all = Files.walk(home)) { // a link is removed as a link, never followed
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Starts the service on a fresh database of the shared test server. */
    public static RunningService start(Path home) throws Exception {
        return start(home, freshDatabase());
    }

    /** The settings of a fresh database of the shared test server, to add a test's own to. */
    public static Map<String, String> freshDatabase() {
        Map<String, String> settings = new HashMap<>();
        settings.put("dangan.db.url", TestDatabase.freshDatabase());
        settings.put("dangan.db.user", "postgres");
        return settings;
    }

    public static RunningService start(Path home, Map<String, String> overrides) throws Exception {
        return new RunningService(DanganService.start(settings(home, overrides)), home);
    }

    /**
     * The settings a service on this home would run with (the real configuration, the test master key,
     * short intake delays, a free port, the quick schema check) plus {@code overrides}: for a test that needs them without
     * starting the service (commands, a capability on its own, on {@link TestDatabase#freshDatabase()}).
     */
    public static Settings settings(Path home, Map<String, String> overrides) {
        Map<String, String> fixed = new HashMap<>();
        fixed.put("dangan.home", home.toString());
        fixed.put("dangan.master-key", TEST_MASTER_KEY);
        fixed.put("dangan.intake.settle-ms", "200");
        fixed.put("dangan.intake.poll-ms", "100");
        fixed.put("dangan.intake.release-delay-ms", "1000"); // a claim outlives the move by ten polls; a stop waits for it
        fixed.put("dangan.db.embedded.durable", "false");
        // a fresh test database is a copy of the template Flyway migrated once in this JVM from the same files: the
        // service skips Flyway when the schema has the newest migration (as the commands do), and runs it when it has
        // not (an empty database, an older schema); the trials' service processes run it as production does
        fixed.put(dangan.store.ArchiveDatabase.QUICK_SCHEMA_CHECK, "true");
        try {
            fixed.put("dangan.http.port", String.valueOf(freePort())); // never bind 8080 in tests
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        fixed.putAll(overrides);
        return Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties()).with(fixed);
    }

    /**
     * A TCP port nobody listens on right now, and never handed out before in this JVM: test
     * classes run in parallel, and two services starting at once must not be given the same port.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                socket.setReuseAddress(true);
                if (HANDED_OUT.add(socket.getLocalPort())) return socket.getLocalPort();
            }
        }
    }

    /** The port of the embedded HTTP server (dangan.http.port). */
    public int httpPort() {
        return Integer.parseInt(service.settings().require("dangan.http.port"));
    }

    public DanganService service() {
        return service;
    }

    /** The service's bean of this name and type; null when it has none. */
    public <T> T bean(String name, Class<T> type) {
        return service.camelContext().getRegistry().lookupByNameAndType(name, type);
    }

    public Path home() {
        return home;
    }

    public Path inbox() {
        return home.resolve("inbox").resolve("registrations");
    }

    /** Drops a file the way an administrator's copy does: written elsewhere, then moved in. */
    public void drop(String name, byte[] content) throws IOException {
        Path staging = Files.createTempFile(home, "copying-", ".tmp");
        Files.write(staging, content);
        Files.move(staging, inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Drops a file into another drop folder ({@code inbox/<channel>}, e.g. consents) and returns that folder. */
    public Path dropInto(String channel, String name, String content, Charset charset) throws IOException {
        Path folder = home.resolve("inbox").resolve(channel);
        Path staging = Files.createTempFile(home, "copying-", ".tmp");
        Files.writeString(staging, content, charset);
        Files.move(staging, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        return folder;
    }

    public void drop(String name, String content, Charset charset) throws IOException {
        drop(name, content.getBytes(charset));
    }

    public void drop(String name, Path source) throws IOException {
        drop(name, Files.readAllBytes(source));
    }

    /** Waits until the named file has left the inbox and returns where it went (done/… or failed/…). */
    public Path awaitHandled(String name) {
        return awaitHandled(name, Duration.ofSeconds(60));
    }

    public Path awaitHandled(String name, Duration timeout) {
        return awaitHandled(inbox(), name, timeout);
    }

    /**
     * Waits until the named file has left this drop folder for its done/ or failed/ folder (as
     * {@code <time>-<name>}, under a date folder) and returns where it went.
     */
    public static Path awaitHandled(Path inbox, String name, Duration timeout) {
        return await("file " + name + " handled in " + inbox).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(inbox.resolve(name)) ? null : find(inbox, name), Objects::nonNull);
    }

    private static Path find(Path inbox, String name) throws IOException {
        for (String outcome : List.of("done", "failed")) {
            Path dir = inbox.resolve(outcome);
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.walk(dir)) {
                // a filed original is sealed in done/ as <time>-<name>.sealed once it has moved there
                Path hit = files.filter(p -> p.getFileName().toString().endsWith("-" + name)
                        || p.getFileName().toString().endsWith("-" + name + ".sealed")).findFirst().orElse(null);
                if (hit != null) return hit;
            } catch (java.io.UncheckedIOException e) {
                // a file left the folder while it was walked (an original replaced by its .sealed): look again at the next poll
                if (e.getCause() instanceof java.nio.file.NoSuchFileException) return null;
                throw e;
            }
        }
        return null;
    }

    public Path rejectReport(String name) {
        return home.resolve("outbox").resolve("rejects").resolve(name + ".rejects.csv");
    }

    /** Runs a query with bind parameters and returns its rows as column → value maps. */
    public List<Map<String, Object>> rows(String sql, Object... params) throws SQLException {
        try (Connection c = service.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    public Map<String, Object> row(String sql, Object... params) throws SQLException {
        List<Map<String, Object>> rows = rows(sql, params);
        if (rows.size() != 1) throw new AssertionError("expected one row, got " + rows.size() + " for " + sql);
        return rows.get(0);
    }

    public long count(String sql, Object... params) throws SQLException {
        return ((Number) row(sql, params).values().iterator().next()).longValue();
    }

    @Override
    public void close() {
        service.close();
    }
}
