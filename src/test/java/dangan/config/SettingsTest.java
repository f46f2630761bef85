package dangan.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("fast")
class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void systemPropertyBeatsEnvironmentBeatsFile() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "dangan.db.url=jdbc:file\ndangan.db.user=fromfile\ndangan.home=/srv/x\ndangan.db.password=\n");
        Properties system = new Properties();
        system.setProperty("dangan.db.url", "jdbc:system");
        Settings settings = Settings.load(file, Map.of("DANGAN_DB_URL", "jdbc:env", "DANGAN_DB_USER", "fromenv"), system);

        assertThat(settings.get("dangan.db.url")).isEqualTo("jdbc:system");
        assertThat(settings.get("dangan.db.user")).isEqualTo("fromenv");
        assertThat(settings.get("dangan.db.password")).isNull();
        assertThat(settings.home()).isEqualTo(Path.of("/srv/x"));
        assertThat(settings.effective()).containsEntry("dangan.db.url", "jdbc:system").containsEntry("dangan.db.user", "fromenv");
    }

    @Test
    void environmentNameOfAKey() {
        assertThat(Settings.environmentName("dangan.db.url")).isEqualTo("DANGAN_DB_URL");
        assertThat(Settings.environmentName("dangan.intake.settle-ms")).isEqualTo("DANGAN_INTAKE_SETTLE_MS");
    }

    @Test
    void badNumberNamesTheKey() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "dangan.db.pool-size=many\n");
        Settings settings = Settings.load(file, Map.of(), new Properties());
        assertThatThrownBy(() -> settings.getInt("dangan.db.pool-size", 8)).hasMessageContaining("dangan.db.pool-size");
    }

    @Test
    void everyKeyOfTheShippedFileIsCommented() throws Exception {
        var lines = Files.readAllLines(Path.of("config", "application.properties"));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isBlank() && !line.startsWith("#")) {
                int j = i - 1;
                while (j > 0 && !lines.get(j).isBlank() && !lines.get(j).startsWith("#")) j--;
                assertThat(lines.get(j)).as("comment above " + line).startsWith("#");
            }
        }
    }
}
