package dangan.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dangan.config.Settings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The archive store: a PostgreSQL server by URL ({@code dangan.db.url}) or, when none is
 * configured, an embedded PostgreSQL whose data lives under {@code DANGAN_HOME/data/postgres},
 * so a restart finds yesterday's archive. Either way a connection pool, schema by Flyway.
 */
public final class ArchiveDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveDatabase.class);
    private static final String EMBEDDED_DATABASE = "dangan";

    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;

    private ArchiveDatabase(EmbeddedPostgres embedded, HikariDataSource pool) {
        this.embedded = embedded;
        this.pool = pool;
    }

    /** Opens (and if embedded, starts) the store and brings its schema up to date. */
    public static ArchiveDatabase open(Settings settings) {
        return open(settings, true);
    }

    /** As {@link #open(Settings)}; without {@code migrate} the schema is left as found (restore migrates it itself). */
    public static ArchiveDatabase open(Settings settings, boolean migrate) {
        String url = settings.get("dangan.db.url");
        EmbeddedPostgres embedded = null;
        String user = settings.get("dangan.db.user");
        String password = settings.get("dangan.db.password");
        if (url == null) {
            Path dataDir = settings.home().resolve("data").resolve("postgres");
            Integer runningPort = runningServerPort(dataDir);
            if (runningPort != null) {
                // a command beside the running service: share its server, one process owns the data folder
                url = "jdbc:postgresql://localhost:" + runningPort + "/" + EMBEDDED_DATABASE;
                LOG.info("The embedded PostgreSQL of {} is running (port {}): using it", dataDir, runningPort);
            } else {
                embedded = startEmbedded(dataDir, settings.getBoolean("dangan.db.embedded.durable", true));
                url = embedded.getJdbcUrl("postgres", EMBEDDED_DATABASE);
                LOG.info("No dangan.db.url configured: embedded PostgreSQL on port {} with data in {}", embedded.getPort(), dataDir);
            }
            user = "postgres";
            password = null;
        } else {
            LOG.info("Archive store: {}", url.replaceAll("password=[^&]*", "password=***"));
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("dangan-archive");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(settings.getInt("dangan.db.pool-size", 8));
        HikariDataSource pool = new HikariDataSource(config);
        try {
            if (migrate) Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            closeQuietly(embedded);
            throw e;
        }
        return new ArchiveDatabase(embedded, pool);
    }

    /**
     * The port of a PostgreSQL server already running on this data folder (another Dangan process:
     * the service, while a command runs), from the server's own {@code postmaster.pid} (4th line:
     * the port); null when there is none or its process is gone.
     */
    static Integer runningServerPort(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) return null;
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) return null;
            long pid = Long.parseLong(lines.get(0).strip());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return Integer.parseInt(lines.get(3).strip());
            }
            return null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static EmbeddedPostgres startEmbedded(Path dataDir, boolean durable) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off")
                    .setServerConfig("full_page_writes", durable ? "on" : "off")
                    .setServerConfig("max_wal_size", "2GB");
            EmbeddedPostgres pg = builder.start();
            ensureDatabase(pg.getPostgresDatabase());
            return pg;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("Cannot start the embedded PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static void ensureDatabase(DataSource admin) throws SQLException {
        try (Connection c = admin.getConnection();
             PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, EMBEDDED_DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = c.createStatement()) {
                        create.execute("create database " + EMBEDDED_DATABASE);
                    }
                }
            }
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /** The port of the embedded server (for psql and the benchmarks), or null when on an external server. */
    public Integer embeddedPort() {
        return embedded == null ? null : embedded.getPort();
    }

    @Override
    public void close() {
        pool.close();
        closeQuietly(embedded);
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        if (pg == null) return;
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
        }
    }
}
