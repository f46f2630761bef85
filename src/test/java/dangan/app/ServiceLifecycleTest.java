package dangan.app;

import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Start, stop, restart and --once, on the embedded default and on a database by URL. */
@Tag("service")
class ServiceLifecycleTest {

    @TempDir
    Path home;

    @Test
    void embeddedDefaultKeepsTheArchiveAcrossRestarts() throws Exception {
        Map<String, String> embeddedDefaults = Map.of("dangan.master-key", "");
        String archiveNo;
        try (RunningService first = RunningService.start(home, embeddedDefaults)) {
            assertThat(first.service().database().embeddedPort()).isNotNull();
            first.drop("guests.csv", Path.of("test-data/registrations/guests-utf8.csv"));
            first.awaitHandled("guests.csv");
            archiveNo = (String) first.row("select archive_no from customer where mobile = ?", "13512345678").get("archive_no");
        }
        assertThat(home.resolve("data/postgres/PG_VERSION")).exists();
        Path key = home.resolve("data/master.key");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        try (RunningService second = RunningService.start(home, embeddedDefaults)) {
            assertThat(second.row("select archive_no from customer where mobile = ?", "13512345678"))
                    .containsEntry("archive_no", archiveNo);
            assertThat(second.count("select count(*) from customer")).isEqualTo(3);
        }
    }

    @Test
    void onceDrainsTheInboxAndExitsZeroWhenEveryFileWasHandled() throws Exception {
        try (RunningService dangan = RunningService.start(home)) {
            dangan.drop("guests.csv", Path.of("test-data/registrations/guests-utf8.csv"));
            dangan.drop("bad-rows.csv", Path.of("test-data/bad/bad-rows.csv"));

            int status = new OnceRun(dangan.service()).drain(Duration.ofSeconds(60));

            assertThat(status).isZero();
            assertThat(dangan.count("select count(*) from ingest where status = 'done'")).isEqualTo(2);
            try (var left = Files.list(dangan.inbox())) {
                assertThat(left.filter(Files::isRegularFile)).isEmpty();
            }
        }
    }

    @Test
    void onceExitsNonZeroWhenAFileFailedAsAWhole() throws Exception {
        try (RunningService dangan = RunningService.start(home)) {
            dangan.drop("guests.csv", Path.of("test-data/registrations/guests-utf8.csv"));
            dangan.drop("scan.pdf", Path.of("test-data/bad/not-a-spreadsheet.pdf"));
            // a copy still in progress is left alone and does not hold --once up
            Files.writeString(dangan.inbox().resolve("big-export.csv.part"), "姓名,手机\n", StandardCharsets.UTF_8);

            int status = new OnceRun(dangan.service()).drain(Duration.ofSeconds(60));

            assertThat(status).isEqualTo(1);
            assertThat(dangan.row("select status from ingest where source_name = ?", "scan.pdf")).containsEntry("status", "failed");
            assertThat(dangan.inbox().resolve("big-export.csv.part")).exists();
        }
    }
}
