package dangan.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dangan.config.Settings;
import dangan.i18n.Messages;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

/**
 * The archive store: a PostgreSQL server by URL ({@code dangan.db.url}) or, when none is
 * configured, an embedded PostgreSQL whose data lives under {@code DANGAN_HOME/data/postgres},
 * so a restart finds yesterday's archive. Either way a connection pool, schema by Flyway.
 * The embedded server takes password (SCRAM) connections only, from this machine only: its password is
 * generated once and kept owner-only in {@code data/pg.password}; it has no Unix socket (TCP on
 * localhost only), so another local account cannot connect as its superuser.
 */
public final class ArchiveDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveDatabase.class);
    private static final String EMBEDDED_DATABASE = "dangan";
    private static final String PASSWORD_FILE = "pg.password";
    private static final String SCRAM = "scram-sha-256";
    /** The embedded server's pg_hba.conf: password (SCRAM) connections only, from this machine only. */
    static final String PG_HBA = """
            # Written by Dangan (ArchiveDatabase) on every start: password (SCRAM) connections only, from this machine only.
            # The password is in DANGAN_HOME/data/pg.password (owner-only).
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    /**
     * How often a backend checks that its client is still there while it runs a statement: a backend
     * of a service that died (kill -9, a lost host) ends within this time instead of running its
     * statement to the end holding the archive lock (PostgreSQL 14+, {@code client_connection_check_interval}).
     */
    static final String CLIENT_CHECK = "set client_connection_check_interval = '2s'";

    private final EmbeddedPostgres embedded;
    private final Path ownerFile;
    private final HikariDataSource pool;
    private final String instance;
    private final Messages messages;

    private ArchiveDatabase(EmbeddedPostgres embedded, Path ownerFile, HikariDataSource pool, String instance, Messages messages) {
        this.messages = messages;
        this.embedded = embedded;
        this.ownerFile = ownerFile;
        this.pool = pool;
        this.instance = instance;
    }

    /** Opens (and if embedded, starts) the store and brings its schema up to date. */
    public static ArchiveDatabase open(Settings settings) {
        return open(settings, true);
    }

    /** As {@link #open(Settings)}; without {@code migrate} the schema is left as found (restore migrates it itself). */
    public static ArchiveDatabase open(Settings settings, boolean migrate) {
        String url = settings.get("dangan.db.url");
        EmbeddedPostgres embedded = null;
        Path ownerFile = null;
        String user = settings.get("dangan.db.user");
        String password = settings.get("dangan.db.password");
        Messages messages = Messages.of(settings);
        if (url == null) {
            Path dataDir = settings.home().resolve("data").resolve("postgres");
            ownerFile = dataDir.resolveSibling("postgres.owner");
            Path passwordFile = dataDir.resolveSibling(PASSWORD_FILE);
            boolean passwordSetBefore = Files.isRegularFile(passwordFile);
            if (!passwordSetBefore) requireNoLostPassword(settings, dataDir, passwordFile);
            password = embeddedPassword(passwordFile);
            Integer runningPort = runningServerPort(dataDir);
            if (runningPort != null && !ownerAlive(ownerFile)) {
                // left running by a Dangan process that is gone (kill -9): stop it, then start our own
                stopOrphan(dataDir, messages);
                runningPort = null;
            }
            if (runningPort != null) {
                // a command beside the running service: share its server, one process owns the data folder
                url = "jdbc:postgresql://localhost:" + runningPort + "/" + EMBEDDED_DATABASE;
                LOG.info(messages.text("log.store.shared", "folder", dataDir.toString(), "port", String.valueOf(runningPort)));
                ownerFile = null;
            } else {
                claimOwnership(ownerFile);
                embedded = startEmbedded(dataDir, settings.getBoolean("dangan.db.embedded.durable", true),
                        settings.get("dangan.db.embedded.shared-buffers", "512MB"), password, passwordSetBefore, messages);
                url = embedded.getJdbcUrl("postgres", EMBEDDED_DATABASE);
                LOG.info(messages.text("log.store.embedded", "port", String.valueOf(embedded.getPort()), "folder", dataDir.toString()));
            }
            user = "postgres";
        } else {
            LOG.info(messages.text("log.store.url", "url", masked(url)));
        }
        String instance = "dangan-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        HikariConfig config = new HikariConfig();
        config.setPoolName("dangan-archive");
        // the instance's name on every session: a starting instance tells a crashed one's claims and ingests by it
        config.addDataSourceProperty("ApplicationName", instance);
        config.setConnectionInitSql(CLIENT_CHECK);
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(settings.getInt("dangan.db.pool-size", 8));
        // how long work waits for a connection: while the database is away an API call is answered 503 after this, not after 30 s
        config.setConnectionTimeout(settings.getInt("dangan.db.connect-timeout-ms", 10_000));
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            closeQuietly(embedded, ownerFile, messages);
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.db.connect", "url", masked(url), "user", String.valueOf(user),
                    "problem", rootMessage(e)), e);
        }
        try {
            if (migrate) refuseInterruptedRestore(settings, pool);
            if (migrate && !(settings.getBoolean(QUICK_SCHEMA_CHECK, false) && schemaCurrent(pool))) {
                Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
            }
        } catch (RuntimeException e) {
            pool.close();
            closeQuietly(embedded, ownerFile, messages);
            throw e;
        }
        return new ArchiveDatabase(embedded, embedded == null ? null : ownerFile, pool, instance, messages);
    }

    /**
     * A database that a restore left unfinished (killed while it loaded) holds the schema and no rows:
     * starting on it would run an empty archive as if nothing had happened. Refused, naming the
     * restore and what to do; {@code restore} itself opens without migrating and takes it over.
     */
    private static void refuseInterruptedRestore(Settings settings, DataSource pool) {
        Db.jdbi(pool).withHandle(RestoreMark::find).ifPresent(mark -> {
            throw new IllegalStateException(Messages.of(settings).text("backup.restore-interrupted", "file", mark.file(),
                    "started", RestoreMark.local(mark.started(), settings.zone())));
        });
    }

    /**
     * The Dangan process that started the embedded server writes its process id beside the data
     * folder ({@code data/postgres.owner}) before starting it and removes it when it stops it. A
     * server running while its owner is gone was left by a process killed hard: nobody would ever
     * stop it.
     */
    static boolean ownerAlive(Path ownerFile) {
        try {
            long pid = Long.parseLong(Files.readString(ownerFile).strip());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static void claimOwnership(Path ownerFile) {
        try {
            Files.createDirectories(ownerFile.getParent()); // a command may be the first thing run on a fresh DANGAN_HOME
            Files.writeString(ownerFile, Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.file-unwritable", "file", ownerFile.toString(), "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * Stops a server left behind by a killed Dangan process: PostgreSQL's fast shutdown (SIGINT: open
     * transactions roll back, the data is consistent), waiting until its postmaster has gone.
     */
    private static void stopOrphan(Path dataDir, Messages messages) {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return;
        }
        ProcessHandle postmaster = ProcessHandle.of(pid).orElse(null);
        if (postmaster == null) return;
        LOG.warn(messages.text("log.store.orphan", "folder", dataDir.toString(), "pid", String.valueOf(pid)));
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
            postmaster.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.db.left-running", "folder", dataDir.toString(), "pid", String.valueOf(pid),
                    "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * Set by the command line for its commands: when the schema's newest applied migration is the
     * newest this build carries, Flyway is not started at all (it costs most of a short command's
     * time); otherwise it migrates as always. The service itself always runs Flyway (validation included).
     */
    public static final String QUICK_SCHEMA_CHECK = "dangan.db.quick-schema-check";

    private static boolean schemaCurrent(DataSource pool) {
        Integer newest = newestMigration();
        if (newest == null) return false;
        try {
            return Db.jdbi(pool).withHandle(h -> h.createQuery("""
                            select coalesce(max(version::int), 0) from flyway_schema_history
                             where success and version ~ '^[0-9]+$'""")
                    .mapTo(Integer.class).one()) >= newest;
        } catch (RuntimeException noHistoryYet) {
            return false;
        }
    }

    /** The highest V<n>__ migration on the class path (in the jar or in target/classes), or null. */
    public static Integer newestMigration() {
        java.net.URL folder = ArchiveDatabase.class.getClassLoader().getResource("db/migration");
        if (folder == null) return null;
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("V(\\d+)__.*\\.sql");
        int newest = 0;
        try {
            if (folder.getProtocol().equals("jar")) {
                String jar = folder.getPath().substring("file:".length(), folder.getPath().indexOf('!'));
                try (java.util.jar.JarFile file = new java.util.jar.JarFile(java.net.URLDecoder.decode(jar, java.nio.charset.StandardCharsets.UTF_8))) {
                    for (var entries = file.entries(); entries.hasMoreElements(); ) {
                        String entry = entries.nextElement().getName();
                        if (!entry.startsWith("db/migration/")) continue;
                        var m = name.matcher(entry.substring("db/migration/".length()));
                        if (m.matches()) newest = Math.max(newest, Integer.parseInt(m.group(1)));
                    }
                }
            } else {
                try (var files = Files.list(Path.of(folder.toURI()))) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        var m = name.matcher(f.getFileName().toString());
                        if (m.matches()) newest = Math.max(newest, Integer.parseInt(m.group(1)));
                    }
                }
            }
        } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
            return null; // then Flyway decides
        }
        return newest == 0 ? null : newest;
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

    /**
     * The embedded server's password from {@code data/pg.password}, generated (SecureRandom, 256 bits)
     * and written owner-only (0600) the first time.
     */
    static String embeddedPassword(Path passwordFile) {
        try {
            Files.createDirectories(passwordFile.getParent());
            if (!Files.isRegularFile(passwordFile)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                Path fresh = Files.createTempFile(passwordFile.getParent(), PASSWORD_FILE, ".new",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(fresh, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
                Files.move(fresh, passwordFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            return Files.readString(passwordFile).strip();
        } catch (IOException e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.db.password-file", "file", passwordFile.toString(), "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * A data folder whose server takes password connections only (its pg_hba.conf has no {@code trust} line),
     * while its password file is gone: a new password would not open it, and the start would end in the
     * embedded server's connection errors. Refused with one line saying what is missing and how to recover,
     * before anything is written (no new password file over the lost one).
     */
    private static void requireNoLostPassword(Settings settings, Path dataDir, Path passwordFile) {
        Path hba = dataDir.resolve("pg_hba.conf");
        if (!Files.isRegularFile(dataDir.resolve("PG_VERSION")) || !Files.isRegularFile(hba)) return; // a fresh data folder
        boolean trust;
        try (var lines = Files.lines(hba)) {
            trust = lines.map(String::strip).filter(l -> !l.startsWith("#"))
                    .anyMatch(l -> List.of(l.split("\\s+")).contains("trust"));
        } catch (IOException | java.io.UncheckedIOException e) {
            trust = false;
        }
        if (!trust) {
            throw new IllegalStateException(Messages.of(settings).text("store.password-lost",
                    "file", passwordFile.toAbsolutePath().normalize().toString(),
                    "folder", dataDir.toAbsolutePath().normalize().toString(),
                    "hba", hba.toAbsolutePath().normalize().toString()));
        }
    }

    /** The stored password of the embedded server of a Dangan home, or null when it has none (for tools and tests). */
    public static String storedPassword(Path home) {
        Path file = home.resolve("data").resolve(PASSWORD_FILE);
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.file-unreadable", "file", file.toString(), "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * Starts the embedded server with password (SCRAM) authentication only. When the role's password
     * was set before (the password file existed) pg_hba.conf is written before the server starts; on a
     * fresh data folder (initdb) or a home from an earlier version (trust), the server starts as found,
     * the password is set, pg_hba.conf written and the configuration reloaded.
     */
    private static EmbeddedPostgres startEmbedded(Path dataDir, boolean durable, String sharedBuffers, String password,
                                                  boolean passwordSetBefore, Messages messages) {
        try {
            Files.createDirectories(dataDir);
            Path hba = dataDir.resolve("pg_hba.conf");
            if (passwordSetBefore && Files.isRegularFile(hba)) Files.writeString(hba, PG_HBA);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off")
                    .setServerConfig("full_page_writes", durable ? "on" : "off")
                    .setServerConfig("max_wal_size", "4GB")
                    .setServerConfig("shared_buffers", sharedBuffers)
                    // a big file's staged lines, in a temporary table of the ingest's transaction (ArchiveIntake): a session's
                    // most, taken as it uses them
                    .setServerConfig("temp_buffers", "512MB")
                    .setServerConfig("password_encryption", SCRAM)
                    .setServerConfig("listen_addresses", "localhost")
                    // no Unix socket: TCP on localhost only, with the password
                    .setServerConfig("unix_socket_directories", "''")
                    .setConnectConfig("password", password);
            EmbeddedPostgres pg = builder.start();
            try {
                requirePassword(pg, hba, password, messages);
                ensureDatabase(pg.getPostgresDatabase());
            } catch (SQLException | IOException | RuntimeException e) {
                pg.close();
                throw e;
            }
            return pg;
        } catch (IOException | SQLException e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.db.embedded", "folder", dataDir.toString(), "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /** Sets the superuser's password (SCRAM, hashed by the driver) and, unless already so, SCRAM-only pg_hba.conf, reloaded. */
    private static void requirePassword(EmbeddedPostgres pg, Path hba, String password, Messages messages) throws SQLException, IOException {
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            c.unwrap(org.postgresql.PGConnection.class).alterUserPassword("postgres", password.toCharArray(), SCRAM);
            if (!Files.readString(hba).equals(PG_HBA)) {
                Files.writeString(hba, PG_HBA);
                try (Statement reload = c.createStatement(); ResultSet rs = reload.executeQuery("select pg_reload_conf()")) {
                    rs.next();
                }
                awaitPasswordRequired(pg.getJdbcUrl("postgres", "postgres"));
                LOG.info(messages.text("log.store.scram", "folder", String.valueOf(hba.getParent())));
            }
        }
    }

    /** pg_reload_conf() only signals the server: returns once a connection without password is refused. */
    private static void awaitPasswordRequired(String url) throws SQLException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection accepted = java.sql.DriverManager.getConnection(url)) {
                accepted.isValid(1);
            } catch (SQLException refused) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException("The embedded PostgreSQL still accepts connections without password after reloading " + url);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while the embedded PostgreSQL reloaded its configuration", e);
            }
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

    /** This instance's name on its database sessions ({@code application_name}). */
    public String instance() {
        return instance;
    }

    @Override
    public void close() {
        Db.forget(pool);
        pool.close();
        closeQuietly(embedded, ownerFile, messages);
    }

    /** A database URL as it may be shown: its password masked. */
    private static String masked(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static void closeQuietly(EmbeddedPostgres pg, Path ownerFile, Messages messages) {
        if (pg == null) return;
        try {
            pg.close();
            Files.deleteIfExists(ownerFile);
        } catch (IOException e) {
            LOG.warn(messages.text("log.store.not-stopped", "problem", String.valueOf(e.getMessage())));
        }
    }
}
