package dangan.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL per test JVM; every test gets a database of its own on it. Test classes
 * run in parallel (junit-platform.properties): the server starts once under a lock, and enough
 * connections for several services (each with its pool, Quartz and commands) at the same time.
 */
public final class TestDatabase {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static EmbeddedPostgres server;
    private static String template;

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            Path data;
            try {
                // the data directory is ours, not zonky's: at exit the server stops, and the directory (hundreds of
                // test databases) is removed by a process of its own, so the JVM does not spend its exit (surefire
                // gives it 30 s, which a loaded machine's unlinking overran) deleting it
                data = Files.createTempDirectory("epg-dangan-");
                server = EmbeddedPostgres.builder()
                        .setDataDirectory(data)
                        .setCleanDataDirectory(false)
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "300")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                    new ProcessBuilder("rm", "-rf", data.toString()).start();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return server;
    }

    /**
     * A database of its own with the archive's schema in place, and its JDBC URL (user postgres, no
     * password): a copy of a template migrated once per JVM, so a service starting on it finds
     * Flyway's history up to date instead of running every migration again.
     */
    public static String freshDatabase() {
        return server().getJdbcUrl("postgres", create(migratedTemplate()));
    }

    /** A data source on a database of its own with the archive's schema in place ({@link #freshDatabase()}). */
    public static org.postgresql.ds.PGSimpleDataSource freshDataSource() {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setURL(freshDatabase());
        dataSource.setUser("postgres");
        return dataSource;
    }

    /** Jdbi on a database of its own with the archive's schema in place ({@link #freshDatabase()}), as the service reaches it. */
    public static org.jdbi.v3.core.Jdbi freshJdbi() {
        return dangan.store.Db.jdbi(freshDataSource());
    }

    /** A database of its own without a single table (a restore's target, another system's database). */
    public static String emptyDatabase() {
        return server().getJdbcUrl("postgres", create(null));
    }

    /** Creates a database, a copy of the template when there is one, and returns its name. */
    private static String create(String template) {
        String name = "dangan_test_" + SEQUENCE.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            // FILE_COPY: the template's files copied, not every block of it written through the WAL (PostgreSQL 15's
            // default, WAL_LOG) — about half the server's CPU a database, and the suite makes some 150
            s.execute("create database " + name + (template == null ? "" : " template " + template + " strategy file_copy"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return name;
    }

    /** The archive's schema by the same migrations the service runs, once; nobody connects to it afterwards. */
    private static synchronized String migratedTemplate() {
        if (template == null) {
            String name = create(null);
            Flyway.configure().dataSource(server().getJdbcUrl("postgres", name), "postgres", null)
                    .locations("classpath:db/migration").load().migrate();
            template = name;
        }
        return template;
    }
}
