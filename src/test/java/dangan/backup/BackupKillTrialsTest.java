package dangan.backup;

import dangan.i18n.Language;
import dangan.i18n.Messages;
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
import static org.awaitility.Awaitility.await;

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

    /** What a person reads of a refusal (the keyed reason), in the default language. */
    private static final Messages ZH = Messages.of(Language.ZH);

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
                    if (e.status() == BackupFailure.BAD_FILE && e.reason(ZH).contains("被中断的备份留下的临时文件")) refusals.add(name);
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

    /**
     * The finding: a kill after the {@code .dgb} was renamed into place but before {@code keyring.dgk} was
     * rewritten left a backup whose newer customers' keys were nowhere. Now the keyring is written first, and the
     * backup process is killed at both sides of the rename ({@code FaultPoint}: {@code renaming}, {@code renamed}),
     * after customers the earlier keyring does not know were filed: before it, only a {@code .pending} that restore
     * refuses; after it, a whole backup that restores every customer with every key. The next backup removes the
     * leftover.
     */
    @Test
    void aBackupKilledAtItsRenameLeavesNothingRestoreTakesBeforeItAndAWholeBackupWithEveryKeyAfterIt(@TempDir Path folder,
                                                                                                     @TempDir Path runs) throws Exception {
        Backups inProcess = new Backups(dangan.service().database().dataSource(),
                new BackupSettings(folder, 14, masterKey(), ZoneId.of("Asia/Shanghai")));
        inProcess.run(); // an earlier backup and keyring; then customers that keyring does not know
        StringBuilder newer = new StringBuilder("姓名,手机号码,过敏史\n");
        for (int i = 0; i < 10; i++) newer.append(String.format("新客%02d,139333300%02d,过敏%d%n", i, i, i % 3));
        dangan.drop("newer-guests.csv", newer.toString(), StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("newer-guests.csv").toString()).contains("/done/");
        long customers = dangan.count("select count(*) from customer");
        long keys = dangan.count("select count(*) from customer_key");

        Map<String, List<String>> leftByMoment = new LinkedHashMap<>();
        String refused = "not tried";
        for (String moment : List.of("renaming", "renamed")) {
            Map<String, String> settings = ServiceProcess.settings(runs, Map.of("dangan.db.url", url, "dangan.db.user", "postgres",
                    "dangan.backup.folder", folder.toString(), "dangan.faults.pause-at", moment + "@backup"));
            List<String> before = names(folder);
            ServiceProcess backup = ServiceProcess.launch(runs, settings, "dangan.app.Dangan", List.of("backup"));
            Path marker = runs.resolve("paused").resolve(moment + "@backup");
            await("the backup at " + moment).atMost(ServiceProcess.START).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (!backup.isAlive()) throw new AssertionError("the backup ended before " + moment + ":\n" + backup.tail());
                return Files.exists(marker);
            });
            backup.kill();
            List<String> left = new ArrayList<>(names(folder));
            left.removeAll(before);
            leftByMoment.put(moment, left);
            if (moment.equals("renaming") && left.size() == 1) { // before the next backup removes it
                try {
                    Restore.run(BackupFaultTrialsTest.restoreSettings(TestDatabase.emptyDatabase(), runs), folder.resolve(left.get(0)),
                            null, line -> { });
                    refused = "TAKEN";
                } catch (BackupFailure e) {
                    refused = e.status() + (e.reason(ZH).contains("被中断的备份留下的临时文件") ? " (a leftover)" : " " + e.reason(ZH));
                }
            }
        }
        List<String> beforeRename = leftByMoment.get("renaming");
        List<String> afterRename = leftByMoment.get("renamed");
        String target = TestDatabase.emptyDatabase();
        Restore.Result whole = afterRename.size() == 1 && afterRename.get(0).endsWith(".dgb")
                ? Restore.run(BackupFaultTrialsTest.restoreSettings(target, runs), folder.resolve(afterRename.get(0)), null, line -> { })
                : null;
        long restoredKeys = whole == null ? -1 : Jdbi.create(target).withHandle(h -> h.createQuery("select count(*) from customer_key")
                .mapTo(Long.class).one());
        inProcess.run();
        List<String> leftovers = names(folder).stream().filter(n -> Backups.LEFTOVER.matcher(n).matches()).toList();
        boolean held = beforeRename.size() == 1 && beforeRename.get(0).endsWith(".pending") && refused.equals("65 (a leftover)")
                && whole != null && whole.rows().get("customer") == customers && restoredKeys == keys && leftovers.isEmpty();
        Trials.record("kill -9 at the backup's rename", "keyring written, before the rename; right after it",
                "before: only a .pending, refused by restore; after: a whole backup restoring every customer with every key;"
                        + " the next backup removes the leftover",
                "before the rename left " + beforeRename + " (restore: " + refused + "); after it left " + afterRename + ", restored "
                        + (whole == null ? "nothing" : whole.rows().get("customer") + " of " + customers + " customers, " + restoredKeys + " of "
                        + keys + " keys") + "; leftovers after the next backup " + leftovers, held);
        assertThat(beforeRename).hasSize(1).allMatch(n -> n.endsWith(".pending"));
        assertThat(refused).isEqualTo("65 (a leftover)");
        assertThat(afterRename).hasSize(1).allMatch(n -> n.endsWith(".dgb"));
        assertThat(whole.rows().get("customer")).isEqualTo(customers);
        assertThat(restoredKeys).as("every customer's key, the newer ones' too").isEqualTo(keys);
        assertThat(leftovers).isEmpty();
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
