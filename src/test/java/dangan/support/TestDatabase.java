package dangan.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    private TestDatabase() {
    }

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
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
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return server;
    }

    /** Creates a fresh, empty database and returns its JDBC URL (user postgres, no password). */
    public static String freshDatabase() {
        String name = "dangan_test_" + SEQUENCE.incrementAndGet() + "_" + ProcessHandle.current().pid();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server().getJdbcUrl("postgres", name);
    }
}
