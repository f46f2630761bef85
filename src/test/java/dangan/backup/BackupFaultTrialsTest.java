package dangan.backup;

import dangan.config.Settings;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.store.ArchiveDatabase;
import dangan.support.RunningService;
import dangan.support.ServiceProcess;
import dangan.support.SmallDisk;
import dangan.support.TestDatabase;
import dangan.support.Trials;
import org.jdbi.v3.core.Jdbi;
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
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
        Settings settings = restoreSettings(target, elsewhere);
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

    @Test
    void aFullDiskLeavesNoPartialBackupNamesTheFolderAndTheNextBackupSucceeds(@TempDir Path parent) throws Exception {
        Backups.Result probe = backups(parent.resolve("probe")).run();
        long room = probe.bytes() + Files.size(parent.resolve("probe").resolve(Keyring.FILE_NAME));
        Path folder = parent.resolve("small-disk");
        try (SmallDisk disk = SmallDisk.mount(folder, 3 * room + 65536)) {
            Backups.Result earlier = backups(folder).run();
            byte[] keyring = Files.readAllBytes(folder.resolve(Keyring.FILE_NAME));
            disk.fill(probe.bytes() / 2); // the dump runs out of space half-way
            long free = disk.free();
            String said;
            try {
                backups(folder).run();
                said = "no failure";
            } catch (BackupFailure e) {
                said = e.reason(Messages.of(Language.ZH)); // what a person reads, keyed
            }
            List<String> left = disk.files();
            List<String> expected = List.of(earlier.file().getFileName().toString(), Keyring.FILE_NAME);
            boolean keyringKept = Arrays.equals(keyring, Files.readAllBytes(folder.resolve(Keyring.FILE_NAME)));
            boolean held = left.equals(expected) && keyringKept && said.contains(folder.toString()) && said.contains("磁盘已满");
            Trials.record("disk full during a backup", "dumping, " + free + " bytes free",
                    "partial file removed, earlier backup and keyring intact, error names the folder",
                    "left " + left + (keyringKept ? ", keyring intact" : ", keyring CHANGED") + ": " + said, held);
            assertThat(said).contains(folder.toString()).contains("磁盘已满");
            assertThat(left).as("restore would find only the earlier, whole backup").isEqualTo(expected);
            assertThat(keyringKept).as("the keyring is the earlier backup's").isTrue();

            disk.freeUp();
            Backups.Result next = backups(folder).run();
            boolean nextHeld = Backups.list(folder).equals(List.of(next.file(), earlier.file()));
            Trials.record("disk full during a backup", "space back", "the next backup succeeds",
                    Backups.list(folder).size() + " backups", nextHeld);
            assertThat(Backups.list(folder)).containsExactly(next.file(), earlier.file());
        }
    }

    /**
     * kill -9 of the {@code restore} command into an empty database at three moments ({@code FaultPoint}): the
     * target marked and its schema made, before the load; in the load's transaction, the tables loaded, before the
     * mark is cleared; right after the load's commit. Before the commit the target holds no rows and is refused by
     * name — the service (started for real at the moment in the load) and every command ({@link ArchiveDatabase#open})
     * — and {@code restore} again takes it over and restores everything; after the commit it holds the whole backup,
     * unmarked, and opens, and its audit log has the restore's entry (written in the load's transaction).
     */
    @Test
    void aRestoreKilledAtEachMomentLeavesTheTargetAllOrNothingAndSaysSo(@TempDir Path folder, @TempDir Path restoreHome) throws Exception {
        Backups.Result backup = backups(folder).run();
        long customers = dangan.count("select count(*) from customer");
        List<String> broken = new ArrayList<>();
        for (String moment : List.of("before-load", "loaded", "committed")) {
            String target = TestDatabase.emptyDatabase();
            Map<String, String> settings = ServiceProcess.settings(restoreHome, Map.of("dangan.db.url", target, "dangan.db.user", "postgres",
                    "dangan.faults.pause-at", moment + "@restore"));
            ServiceProcess restore = ServiceProcess.launch(restoreHome, settings, "dangan.app.Dangan",
                    List.of("restore", backup.file().toString()));
            Path marker = restoreHome.resolve("paused").resolve(moment + "@restore");
            await("the restore at " + moment).atMost(ServiceProcess.START).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!restore.isAlive()) throw new AssertionError("the restore ended before " + moment + ":\n" + restore.tail());
                return Files.exists(marker);
            });
            restore.kill();
            Files.delete(marker);
            awaitSessionsGone(target, restore);
            Map<String, Long> left = rowsIn(target);
            Settings restoreSettings = restoreSettings(target, restoreHome);
            String opening;
            try (ArchiveDatabase opened = ArchiveDatabase.open(restoreSettings)) {
                opening = "opens";
            } catch (IllegalStateException e) {
                opening = e.getMessage();
            }
            boolean refused = opening.contains("没有完成的恢复") && opening.contains(backup.file().getFileName().toString());
            String serviceSaid = "";
            if (moment.equals("loaded")) { // the service itself, once: it starts on nothing a restore left unfinished
                Map<String, String> plain = new java.util.HashMap<>(settings);
                plain.remove("dangan.faults.pause-at");
                ServiceProcess service = ServiceProcess.launch(restoreHome, plain, "dangan.app.Dangan", List.of());
                await("the service on the target started or refused").atMost(ServiceProcess.START).pollInterval(Duration.ofMillis(100))
                        .until(() -> !service.isAlive() || service.log().contains(ServiceProcess.READY));
                serviceSaid = service.isAlive() ? "STARTED on it" : "refused";
                service.close();
            }
            boolean held;
            String observed;
            if (moment.equals("committed")) {
                // the restore's audit entry committed with the rows: killed right after the commit, it is there all the same
                long audited = Jdbi.create(target).withHandle(h -> h.createQuery(
                                "select count(*) from audit_log where action = 'restore' and detail like :file")
                        .bind("file", "%" + backup.file().getFileName() + "%").mapTo(Long.class).one());
                held = left.get("customer") != null && left.get("customer") == customers && opening.equals("opens") && audited == 1;
                observed = "customers " + left.get("customer") + " of " + customers + ", the target " + (opening.equals("opens") ? "opens" : "REFUSED: " + opening)
                        + ", restore audited " + audited + " time(s)";
            } else {
                List<String> progress = new ArrayList<>();
                Restore.Result again = Restore.run(restoreSettings, backup.file(), null, progress::add);
                boolean tookOver = progress.stream().anyMatch(line -> line.contains("被中断"));
                held = left.isEmpty() && refused && tookOver && again.rows().get("customer") == customers
                        && (serviceSaid.isEmpty() || serviceSaid.equals("refused"));
                observed = "rows left " + left + (refused ? ", refused by name" : ", NOT refused: " + opening)
                        + (serviceSaid.isEmpty() ? "" : ", the service " + serviceSaid)
                        + (tookOver ? ", the next restore took over" : ", the next restore did NOT say it took over")
                        + " and restored " + again.rows().get("customer") + " of " + customers + " customers";
            }
            Trials.record("kill -9 during a restore", moment, moment.equals("committed")
                            ? "the whole backup in the target, unmarked: it opens; the restore audited once"
                            : "target empty and refused by name (the service too); restore again takes over and restores everything",
                    observed, held);
            if (!held) broken.add(moment + ": " + observed);
        }
        assertThat(broken).isEmpty();
    }

    /** Waits until the killed process's sessions on the target have ended (their transaction rolled back). */
    private static void awaitSessionsGone(String target, ServiceProcess killed) {
        await("the sessions of " + killed.pid() + " gone").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> Jdbi.create(target).withHandle(h -> h.createQuery(
                        "select count(*) from pg_stat_activity where application_name like :app").bind("app", "dangan-" + killed.pid() + "-%")
                        .mapTo(Long.class).one()) == 0);
    }

    @Test
    void aRestoreByAUserWhoDoesNotOwnTheSchemaRestoresAndSaysItCannotMarkTheTarget(@TempDir Path folder, @TempDir Path restoreHome)
            throws Exception {
        Backups.Result backup = backups(folder).run();
        String target = TestDatabase.emptyDatabase();
        String role = "restorer_" + ProcessHandle.current().pid() + "_" + Long.toHexString(System.nanoTime());
        Jdbi.create(target).useHandle(h -> {
            h.execute("create role " + role + " login");
            h.execute("grant usage, create on schema public to " + role); // may create tables, does not own the schema
        });
        Settings settings = restoreSettings(target.replace("?user=postgres", ""), restoreHome).with(Map.of("dangan.db.user", role));
        List<String> progress = new ArrayList<>();
        Restore.Result restored = Restore.run(settings, backup.file(), null, progress::add);
        assertThat(progress).anyMatch(line -> line.contains("不是 public 模式的所有者"));
        assertThat(restored.rows().get("customer")).isEqualTo(dangan.count("select count(*) from customer"));
    }

    /** The tables of a database that hold rows, other than Flyway's history and the rows migrations seed. */
    private static Map<String, Long> rowsIn(String url) {
        return Jdbi.create(url).withHandle(h -> {
            Map<String, Long> rows = new TreeMap<>();
            for (Catalog.Table t : Catalog.read(h).dataTables()) {
                if (Catalog.SEEDED_BY_MIGRATIONS.contains(t.name())) continue;
                long n = h.createQuery("select count(*) from " + Catalog.ident(t.name())).mapTo(Long.class).one();
                if (n > 0) rows.put(t.name(), n);
            }
            return rows;
        });
    }

    /** The settings of a restore into {@code target} (a database URL of the test server) from {@code home}. */
    static Settings restoreSettings(String target, Path home) throws Exception {
        return Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties()).with(Map.of(
                "dangan.home", home.toString(), "dangan.db.url", target, "dangan.db.user", "postgres",
                "dangan.master-key", RunningService.TEST_MASTER_KEY));
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
