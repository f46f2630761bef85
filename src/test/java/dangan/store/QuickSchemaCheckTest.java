package dangan.store;

import dangan.config.Settings;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands' quick schema check: it knows the newest migration this build carries, skips Flyway
 * only when the database has it, and migrates a database that is behind as Flyway always did.
 */
@Tag("database")
class QuickSchemaCheckTest {

    @Test
    void theNewestMigrationIsTheHighestFileAndABehindDatabaseIsStillMigrated() throws IOException {
        int highest;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            highest = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        }
        assertThat(ArchiveDatabase.newestMigration()).isEqualTo(highest);

        String empty = TestDatabase.emptyDatabase();
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.db.url", empty, "dangan.db.user", "postgres", ArchiveDatabase.QUICK_SCHEMA_CHECK, "true"));
        int history;
        try (ArchiveDatabase db = ArchiveDatabase.open(settings)) {
            Jdbi jdbi = Db.jdbi(db.dataSource());
            Integer applied = jdbi.withHandle(h -> h.createQuery("select max(version::int) from flyway_schema_history").mapTo(Integer.class).one());
            assertThat(applied).as("a database behind is migrated").isEqualTo(highest);
            history = jdbi.withHandle(h -> h.createQuery("select count(*) from flyway_schema_history").mapTo(Integer.class).one());
        }
        // current now: opened again, nothing is applied twice and the schema is what it was
        try (ArchiveDatabase db = ArchiveDatabase.open(settings)) {
            Integer rows = Db.jdbi(db.dataSource()).withHandle(h -> h.createQuery("select count(*) from flyway_schema_history")
                    .mapTo(Integer.class).one());
            assertThat(rows).isEqualTo(history);
        }
    }
}
