package dangan.backup;

import dangan.config.Settings;
import dangan.support.RunningService;
import dangan.support.ServiceProcess;
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
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 during a backup (issue 15), the {@code backup} command as a process on the test PostgreSQL,
 * stopped at three moments by a lock the trial holds in its way: while the data is dumped (a late
 * table locked), after the dump and before the keyring (the keyring writers' advisory lock), while the
 * keyring is written ({@code customer_key} locked). Whatever a killed backup leaves is refused by
 * {@code restore} as a partial file — also the whole {@code .pending} dump, even once a destruction has
 * rewritten the keyring after it — and removed by the next backup, which succeeds and restores.
 */
@Tag("faults")
class BackupKillTrialsTest {

    @TempDir
    static Path home;
    static RunningService dangan;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home);
        url = dangan.service().settings().get("dangan.db.url");
        StringBuilder guests = new StringBuilder("姓名,手机号码,过敏史\n");
        for (int i = 0; i < 40; i++) guests.append(String.format("客人%02d,139222200%02d,过敏%d%n", i, i, i % 5));
        dangan.drop("guests.csv", guests.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("guests.csv").toString()).contains("/done/");
    }

    @AfterAll
    static void stop() {
        dangan.close();
    }

    private record Moment(String name, String lockSql, String blockedIn) {
    }

    @Test
    void aKilledBackupLeavesNothingRestoreTakesAndTheNextBackupCleansUpAndSucceeds(@TempDir Path folder, @TempDir Path runs)
            throws Exception {
        List<Catalog.Table> tables = Jdbi.create(url).withHandle(h -> Catalog.read(h).dataTables());
        String late = tables.get(tables.size() - 1).name();
        List<Moment> moments = List.of(
                new Moment("dumping (" + late + ")", "lock table " + Catalog.ident(late) + " in access exclusive mode", "COPY%"),
                new Moment("after the dump, before the keyring", "select pg_advisory_xact_lock(" + Keyring.LOCK + ")", "%pg_advisory_lock%"),
                new Moment("writing the keyring", "lock table customer_key in access exclusive mode", "COPY \"customer_key\"%"));
        Map<String, String> settings = ServiceProcess.settings(runs, Map.of("dangan.db.url", url, "dangan.db.user", "postgres",
                "dangan.backup.folder", folder.toString()));
        Map<String, List<String>> leftByMoment = new LinkedHashMap<>();
        List<String> refusals = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        Settings target = BackupFaultTrialsTest.restoreSettings(TestDatabase.emptyDatabase(), runs);
        for (Moment moment : moments) {
            List<String> before = names(folder);
            ServiceProcess backup;
            try (LockInTheWay lock = new LockInTheWay(url, moment.lockSql())) {
                backup = ServiceProcess.launch(runs, settings, "dangan.app.Dangan", List.of("backup"));
                lock.awaitBlocked(backup, moment.blockedIn());
                backup.kill();
                lock.releaseAndAwaitGone(backup);
            }
            List<String> left = new ArrayList<>(names(folder));
            left.removeAll(before);
            leftByMoment.put(moment.name(), left);
            // a destruction after the kill rewrites the keyring: newer than anything the killed backup dumped
            Keyring.rewrite(dangan.service().database().dataSource(), folder, masterKey());
            for (String name : left) {
                try {
                    Restore.run(target, folder.resolve(name), null, line -> { });
                    accepted.add(name);
                } catch (BackupFailure e) {
                    if (e.status() == BackupFailure.BAD_FILE && e.getMessage().contains("被中断的备份留下的临时文件")) refusals.add(name);
                    else accepted.add(name + " (refused for another reason: " + e.status() + " " + e.getMessage() + ")");
                }
            }
        }
        boolean eachLeftSomething = leftByMoment.values().stream().noneMatch(List::isEmpty);
        boolean noBackup = Backups.list(folder).isEmpty();
        Trials.record("kill -9 during a backup", String.join("; ", leftByMoment.keySet()),
                "no .dgb; every partial file refused by restore (65, named as such)",
                "left " + leftByMoment.values() + ", refused " + refusals.size() + ", taken " + accepted,
                eachLeftSomething && noBackup && accepted.isEmpty());
        assertThat(leftByMoment).as("each kill was mid-backup: it left its partial file").allSatisfy((m, left) -> assertThat(left).isNotEmpty());
        assertThat(Backups.list(folder)).as("no backup was completed by a killed process").isEmpty();
        assertThat(accepted).as("partial files a restore took").isEmpty();

        ServiceProcess next = ServiceProcess.launch(runs, settings, "dangan.app.Dangan", List.of("backup"));
        int status = next.awaitExit(Duration.ofSeconds(180));
        List<String> after = names(folder);
        List<Path> backups = Backups.list(folder);
        long restored = backups.size() == 1 ? restoredCustomers(backups.get(0), runs) : -1;
        long customers = dangan.count("select count(*) from customer");
        boolean held = status == 0 && backups.size() == 1 && after.size() == 2 && restored == customers;
        Trials.record("kill -9 during a backup", "the next backup", "leftovers removed, one whole backup that restores",
                "exit " + status + ", folder " + after + ", restored " + restored + " of " + customers + " customers", held);
        assertThat(status).as(next.tail()).isZero();
        assertThat(after).as("the leftovers of the killed backups are gone").containsExactlyInAnyOrder(
                Keyring.FILE_NAME, backups.get(0).getFileName().toString());
        assertThat(restored).isEqualTo(customers);
    }

    private static long restoredCustomers(Path backup, Path runs) throws Exception {
        String target = TestDatabase.emptyDatabase();
        Restore.run(BackupFaultTrialsTest.restoreSettings(target, runs), backup, null, line -> { });
        return Jdbi.create(target).withHandle(h -> h.createQuery("select count(*) from customer").mapTo(Long.class).one());
    }

    private static byte[] masterKey() {
        return Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY);
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
