package dangan.backup;

import dangan.config.Settings;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backups under faults (issue 15): a backup is renamed into place only after the keyring that holds its
 * customers' keys is written, so a backup cut off between the two (a kill, a full disk) leaves nothing
 * restore would take; a keyring older than the backup is refused (exit 66), never restored with a
 * warning and unreadable ID numbers; what killed backups leave (.part, .pending) is removed by the next.
 */
@Tag("faults")
class BackupFaultTrialsTest {

    @TempDir
    static Path home;
    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
        dangan.drop("first.csv", "姓名,手机号码,身份证号\n张一,13911110001,11010519491231002X\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("first.csv");
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    private Backups backups(Path folder) {
        return new Backups(dangan.service().database().dataSource(),
                new BackupSettings(folder, 14, Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY), ZoneId.of("Asia/Shanghai")));
    }

    @Test
    void aBackupWhoseKeyringCannotBeWrittenIsNeverLeftToRestore(@TempDir Path folder) throws Exception {
        // the keyring cannot be replaced (a folder with something in it stands where it goes): as a kill or a full disk after the dump
        Files.createDirectories(folder.resolve(Keyring.FILE_NAME).resolve("in-the-way"));
        assertThatThrownBy(() -> backups(folder).run()).hasMessageContaining("keyring");
        List<String> left;
        try (Stream<Path> files = Files.list(folder)) {
            left = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals(Keyring.FILE_NAME)).toList();
        }
        boolean held = Backups.list(folder).isEmpty() && left.isEmpty();
        Trials.record("backup cut off before its keyring", "after the dump, before the keyring", "no .dgb, no partial file",
                left.isEmpty() ? "nothing left" : "left: " + left, held);
        assertThat(left).as("files left in the backup folder").isEmpty();
    }

    @Test
    void aKeyringOlderThanTheBackupIsRefused(@TempDir Path folder, @TempDir Path elsewhere) throws Exception {
        backups(folder).run();
        Path oldKeyring = Files.copy(folder.resolve(Keyring.FILE_NAME), elsewhere.resolve("old-keyring.dgk"));
        dangan.drop("later.csv", "姓名,手机号码,身份证号\n李二,13911110002,110105194912310037\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("later.csv");
        Backups.Result newer = backups(folder).run();

        String target = TestDatabase.emptyDatabase();
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties()).with(Map.of(
                "dangan.home", elsewhere.toString(), "dangan.db.url", target, "dangan.db.user", "postgres",
                "dangan.master-key", RunningService.TEST_MASTER_KEY));
        int status;
        String said;
        try {
            Restore.run(settings, newer.file(), oldKeyring, line -> { });
            status = 0;
            said = "restored";
        } catch (BackupFailure e) {
            status = e.status();
            said = e.getMessage();
        }
        long customers = customersIn(target);
        boolean held = status == BackupFailure.NO_INPUT && customers <= 0;
        Trials.record("restore with a keyring older than the backup", "restore", "refused (66), nothing restored",
                "exit " + status + ", customers in the target " + Math.max(customers, 0), held);
        assertThat(status).as(said).isEqualTo(BackupFailure.NO_INPUT);
        assertThat(said).contains("older than the backup").contains("Nothing was restored");
        assertThat(customers).isLessThanOrEqualTo(0);
    }

    @Test
    void whatAKilledBackupLeftIsRemovedByTheNext(@TempDir Path folder) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        List<Path> leftovers = new ArrayList<>();
        leftovers.add(Files.write(folder.resolve(".dangan-20261201-020000.dgb." + gone.pid() + ".pending"), new byte[4096]));
        leftovers.add(Files.write(folder.resolve("..dangan-20261201-020000.dgb." + gone.pid() + ".pending." + gone.pid() + ".1.part"), new byte[4096]));
        leftovers.add(Files.write(folder.resolve(".keyring.dgk." + gone.pid() + ".1.part"), new byte[4096]));
        backups(folder).run();
        long remaining = leftovers.stream().filter(Files::exists).count();
        Trials.record("partial files of killed backups", "next backup", "removed", remaining + " of " + leftovers.size() + " left",
                remaining == 0);
        assertThat(leftovers).noneMatch(Files::exists);
        assertThat(Backups.list(folder)).hasSize(1);
    }

    private static long customersIn(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_tables where schemaname = 'public' and tablename = 'customer'")) {
            rs.next();
            if (rs.getLong(1) == 0) return -1;
        }
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from customer")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
