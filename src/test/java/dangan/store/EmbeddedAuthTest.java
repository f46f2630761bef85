package dangan.store;

import dangan.config.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded PostgreSQL takes password (SCRAM) connections only; a home from an earlier version (trust) is upgraded.
 * It runs with the memory and WAL sizes of {@code ArchiveDatabase} (dangan.db.embedded.shared-buffers).
 */
@Tag("database")
class EmbeddedAuthTest {

    @TempDir
    Path home;

    @Test
    void onlyTheStoredPasswordConnectsAndAnEarlierTrustHomeIsUpgraded() throws Exception {
        Files.writeString(home.resolve("dangan.conf"), "");
        Settings settings = Settings.load(home.resolve("dangan.conf"), Map.of(), new Properties())
                .with(Map.of("dangan.home", home.toString(), "dangan.db.embedded.durable", "false"));
        Path passwordFile = home.resolve("data/pg.password");
        String first;
        try (ArchiveDatabase db = ArchiveDatabase.open(settings, false)) {
            String url = "jdbc:postgresql://localhost:" + db.embeddedPort() + "/dangan";
            assertThat(Files.getPosixFilePermissions(passwordFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            first = Files.readString(passwordFile).strip();
            assertThat(first).hasSizeGreaterThanOrEqualTo(40);
            assertRefused(url, null);
            assertRefused(url, "postgres");
            assertRefused(url, first + "x");
            assertConnects(url, first);
            try (Connection c = DriverManager.getConnection(url, "postgres", first);
                 ResultSet rs = c.createStatement().executeQuery("select current_setting('unix_socket_directories'), "
                         + "(select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'postgres'), "
                         + "current_setting('shared_buffers'), current_setting('max_wal_size')")) {
                rs.next();
                assertThat(rs.getString(1)).isEmpty();
                assertThat(rs.getBoolean(2)).isTrue();
                // sized for million-line files (issue 14): the archive's pages stay in memory, and such a file's WAL
                // (about 1.1 GB) fits between two checkpoints
                assertThat(rs.getString(3)).isEqualTo("512MB");
                assertThat(rs.getString(4)).isEqualTo("4GB");
            }
        }
        assertThat(Files.readString(home.resolve("data/postgres/pg_hba.conf"))).doesNotContain("trust").contains("scram-sha-256");

        // a home as an earlier version left it: trust for everyone, no password file
        Files.writeString(home.resolve("data/postgres/pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n");
        Files.delete(passwordFile);
        try (ArchiveDatabase db = ArchiveDatabase.open(settings, false)) {
            String url = "jdbc:postgresql://localhost:" + db.embeddedPort() + "/dangan";
            String second = Files.readString(passwordFile).strip();
            assertThat(second).isNotEqualTo(first);
            assertRefused(url, null);
            assertRefused(url, first);
            assertConnects(url, second);
        }
        assertThat(Files.readString(home.resolve("data/postgres/pg_hba.conf"))).doesNotContain("trust");
    }

    private static void assertRefused(String url, String password) {
        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", password).close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(password == null ? "no password was provided" : "password authentication failed");
    }

    private static void assertConnects(String url, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", password);
             ResultSet rs = c.createStatement().executeQuery("select current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("postgres");
        }
    }
}
