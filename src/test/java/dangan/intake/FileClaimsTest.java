package dangan.intake;

import dangan.config.Settings;
import dangan.store.ArchiveDatabase;
import dangan.support.TestDatabase;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Two instances' claims on one drop folder, through the database they share (issue 15's finding). */
@Tag("database")
class FileClaimsTest {

    static ArchiveDatabase database;

    @BeforeAll
    static void open() {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres"));
        database = ArchiveDatabase.open(settings);
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static FileClaims instance() {
        JdbcMessageIdRepository shared = new JdbcMessageIdRepository(database.dataSource(), "dangan-drop-folders");
        shared.setCreateTableIfNotExists(false);
        FileClaims claims = new FileClaims(shared);
        claims.start();
        return claims;
    }

    @Test
    void anInstanceThatFailedToClaimAFileCannotReleaseTheOthersClaim() {
        FileClaims first = instance();
        FileClaims second = instance();
        String file = "/home/inbox/registrations/batch-1.csv";

        assertThat(first.add(file)).isTrue();
        assertThat(second.add(file)).isFalse();
        // the second instance rolls back its attempt: the first instance's claim must stay
        assertThat(second.remove(file)).isFalse();
        assertThat(second.add(file)).isFalse();
        assertThat(second.contains(file)).isTrue();

        // the owner releases it when the file is handled; then anyone may claim it again
        assertThat(first.remove(file)).isTrue();
        assertThat(second.add(file)).isTrue();
        assertThat(second.held()).isEqualTo(1);
        assertThat(first.held()).isZero();
    }
}
