package dangan.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.support.Commands;
import dangan.config.Settings;
import dangan.privacy.SensitiveFields;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backups (D-29) and the keyring (D-31) end to end: a real archive filed from real registration
 * files, backed up by the job, restored into an EMPTY database, and the restored service reads it.
 */
@Tag("service")
class BackupRestoreTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static Path home;

    @BeforeAll
    static void fileTheArchive() throws Exception {
        home = dangan.home();
        dangan.drop("daily-report-gbk.csv", Path.of("test-data/registrations/daily-report-gbk.csv"));
        dangan.drop("guests-utf8.csv", Path.of("test-data/registrations/guests-utf8.csv"));
        StringBuilder many = new StringBuilder("姓名,手机号码,过敏史,消费金额,消费日期,服务项目\n");
        for (int i = 0; i < 3000; i++) {
            many.append(String.format("客人%04d,1391234%04d,过敏%d,%d,2024-03-%02d,足疗%n", i, i, i % 7, 100 + i, 1 + i % 28));
        }
        dangan.drop("many.csv", many.toString(), StandardCharsets.UTF_8);
        dangan.awaitHandled("daily-report-gbk.csv");
        dangan.awaitHandled("guests-utf8.csv");
        assertThat(dangan.awaitHandled("many.csv").toString()).contains("/done/");
        assertThat(dangan.count("select count(*) from health_fact")).isGreaterThan(0);
        assertThat(dangan.count("select count(*) from customer where id_number_enc is not null")).isGreaterThan(0);
    }

    @Test
    void backupRestoresIntoAnEmptyDatabaseAndTheServiceReadsIt(@TempDir Path restoredHome) throws Exception {
        Map<String, Long> before = counts(dangan);
        Backups.Result backup = runJob();

        assertThat(backup.file()).exists().hasFileName(backup.file().getFileName().toString());
        assertThat(backup.file().getFileName().toString()).matches("dangan-\\d{8}-\\d{6}(-\\d+)?\\.dgb");
        assertThat(backup.file().getParent()).isEqualTo(home.resolve("backups"));
        assertThat(home.resolve("backups").resolve("keyring.dgk")).exists();
        assertThat(backup.rows()).containsEntry("customer", before.get("customer"))
                .containsEntry("health_fact", before.get("health_fact"))
                .containsKey("destruction_record")
                .doesNotContainKeys("customer_key", "flyway_schema_history", "intake_row", "qrtz_triggers");
        try (var files = Files.list(home.resolve("backups"))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }

        // No plaintext: neither in the backup nor in the keyring
        for (Path file : List.of(backup.file(), home.resolve("backups").resolve("keyring.dgk"))) {
            byte[] raw = Files.readAllBytes(file);
            for (String clear : List.of("张伟", "13800138000", "Zhao Lei", "13512345678", "440304199001011233", "花生",
                    "customer", "archive_no", "COPY")) {
                assertThat(indexOf(raw, clear.getBytes(StandardCharsets.UTF_8))).as("%s in %s", clear, file).isEqualTo(-1);
            }
        }

        String url = TestDatabase.emptyDatabase();
        Restore.Result restored = Restore.run(settings(restoredHome, url, RunningService.TEST_MASTER_KEY), backup.file(), null,
                line -> { });
        assertThat(restored.rows()).isEqualTo(backup.rows());
        assertThat(restored.keys()).as("per-customer keys, from the keyring").isEqualTo(before.get("customer_key")).isPositive();
        assertThat(restored.customersRemoved()).isZero();

        try (RunningService copy = RunningService.start(restoredHome, Map.of("dangan.db.url", url, "dangan.db.user", "postgres"))) {
            Map<String, Long> after = counts(copy);
            Map<String, Long> expected = new TreeMap<>(before);
            expected.put("audit_log", before.get("audit_log") + 1); // the restore's own entry
            // job_run also logs the copy's own firings (the relay runs every 30 s), and job_firing the due times the copy
            // takes (the audit checkpoint at every tenth minute fired in the copy once, 14:30:00 UTC): at least what was restored
            for (String ownFirings : List.of("job_run", "job_firing")) {
                assertThat(after.remove(ownFirings)).as(ownFirings).isGreaterThanOrEqualTo(expected.remove(ownFirings));
            }
            assertThat(after).isEqualTo(expected);
            assertThat(copy.row("select action, actor from audit_log order by id desc limit 1"))
                    .containsEntry("action", "restore").containsEntry("actor", "system:restore");

            SensitiveFields sensitive = sensitiveFieldsOf(copy);
            Map<String, Object> zhang = copy.row("select id, id_number_enc from customer where mobile = ?", "13800138000");
            assertThat(sensitive.decrypt((byte[]) zhang.get("id_number_enc"))).isEqualTo("440304199001011233");
            byte[] allergy = (byte[]) copy.row("select detail_enc from health_fact where customer_id = ? and kind = 'allergy'",
                    zhang.get("id")).get("detail_enc");
            assertThat(sensitive.decrypt(allergy)).isEqualTo("花生");

            // Sequences and archive numbers go on after the restored ones: a new file files a new archive
            long customers = copy.count("select count(*) from customer");
            copy.drop("new-guest.csv", "name,mobile,health\n新客,13311112222,糖尿病\n", StandardCharsets.UTF_8);
            assertThat(copy.awaitHandled("new-guest.csv").toString()).contains("/done/");
            assertThat(copy.count("select count(*) from customer")).isEqualTo(customers + 1);
            assertThat(copy.count("select count(distinct archive_no) from customer")).isEqualTo(customers + 1);
        }
    }

    @Test
    void alteredTruncatedOrForeignFilesAreRefusedAndNothingIsRestored(@TempDir Path elsewhere) throws Exception {
        // Small segments: the archive spans several, so damage near the end is found after tables were loaded
        Backups.Result backup = new Backups(dangan.service().database().dataSource(), new BackupSettings(elsewhere, 14,
                Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY), ZoneId.of("Asia/Shanghai")), 1024).run();
        byte[] raw = Files.readAllBytes(backup.file());
        assertThat(raw.length).as("larger than what restore reads ahead").isGreaterThan(256 * 1024);

        byte[] altered = raw.clone();
        altered[altered.length - 30] ^= 0x01;
        Path alteredFile = Files.write(elsewhere.resolve("altered.dgb"), altered);
        byte[] early = raw.clone();
        early[200] ^= 0x01;
        Path alteredEarly = Files.write(elsewhere.resolve("altered-early.dgb"), early);
        Path truncatedFile = Files.write(elsewhere.resolve("truncated.dgb"), java.util.Arrays.copyOf(raw, raw.length - 100));
        Path notABackup = Files.write(elsewhere.resolve("notes.dgb"), "hello".getBytes(StandardCharsets.UTF_8));

        for (Path bad : List.of(alteredFile, alteredEarly, truncatedFile, notABackup)) {
            String url = TestDatabase.emptyDatabase();
            List<String> progress = new ArrayList<>();
            assertThatThrownBy(() -> Restore.run(settings(elsewhere, url, RunningService.TEST_MASTER_KEY), bad, null, progress::add))
                    .isInstanceOf(BackupFailure.class)
                    .satisfies(e -> assertThat(((BackupFailure) e).status()).isEqualTo(BackupFailure.BAD_FILE))
                    .hasMessageContaining(bad.getFileName().toString());
            if (bad == alteredFile || bad == truncatedFile) {
                assertThatThrownBy(() -> Restore.run(settings(elsewhere, url, RunningService.TEST_MASTER_KEY), bad, null, l -> { }))
                        .hasMessageContaining("Nothing was restored");
                assertThat(progress).as("tables loaded before the damage was met").anyMatch(l -> l.contains("customer"));
            }
            assertThat(rowsIn(url, "customer")).as("customers after refusing %s", bad.getFileName()).isLessThanOrEqualTo(0);
        }

        // Another master key cannot open it; the command says so and exits 65
        String url = TestDatabase.emptyDatabase();
        String otherKey = Base64.getEncoder().encodeToString(new byte[32]);
        Run run = command(settings(elsewhere, url, otherKey), "restore", backup.file().toString());
        assertThat(run.status).isEqualTo(65);
        assertThat(run.err).contains("主密钥").contains("没有恢复任何内容");
        assertThat(rowsIn(url, "customer")).isLessThanOrEqualTo(0);
    }

    @Test
    void aTargetThatHoldsDataIsRefused(@TempDir Path elsewhere) throws Exception {
        Backups.Result backup = runJob();
        Settings own = dangan.service().settings();
        Run run = command(own, "restore", backup.file().toString());
        assertThat(run.status).isEqualTo(73);
        assertThat(run.err).contains("不是空的").contains("customer").contains("没有改动任何内容");

        Run missing = command(own, "restore", elsewhere.resolve("nope.dgb").toString());
        assertThat(missing.status).isEqualTo(66);
        Run noKeyring = command(own, "restore", Files.copy(backup.file(), elsewhere.resolve("lonely.dgb")).toString());
        assertThat(noKeyring.status).isEqualTo(66);
        assertThat(noKeyring.err).contains("没有密钥环");
        assertThat(command(own, "restore").status).isEqualTo(2);
    }

    @Test
    void backupListShowsEachBackupItsKeyringAndWhetherRestoreWouldTakeIt(@TempDir Path folder) throws Exception {
        Settings settings = dangan.service().settings().with(Map.of("dangan.backup.folder", folder.toString()));
        assertThat(command(settings, "backup").status).isZero();
        Path first = Backups.list(folder).get(0);
        Path oldKeyring = Files.copy(folder.resolve("keyring.dgk"), folder.resolve("keyring-then.dgk"));
        assertThat(command(settings, "backup").status).isZero();
        Path second = Backups.list(folder).get(0);
        Files.writeString(folder.resolve(".dangan-20261124-013000.dgb.4242.part"), "cut off");

        Run listed = command(settings, "backup", "list");
        assertThat(listed.status).as(listed.err).isZero();
        assertThat(listed.out).contains("备份目录 " + folder + "：3 个文件，2 个可以恢复")
                .contains(first.getFileName().toString()).contains(second.getFileName().toString()).contains("keyring.dgk (")
                .contains("V" + schemaVersion()).contains("备份中途被中断时留下的临时文件");
        JsonNode rows = new ObjectMapper().readTree(command(settings, "backup", "list", "--json").out);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).get("file").asText()).isEqualTo(second.toString()); // newest first, the leftover last
        assertThat(rows.get(0).get("bytes").asLong()).isEqualTo(Files.size(second));
        assertThat(rows.get(0).get("schema_version").asText()).isEqualTo(schemaVersion());
        assertThat(rows.get(0).get("restorable").asBoolean()).isTrue();
        assertThat(rows.get(0).get("refusal").isNull()).isTrue();
        assertThat(rows.get(1).get("file").asText()).isEqualTo(first.toString());
        assertThat(rows.get(1).get("restorable").asBoolean()).isTrue();
        assertThat(rows.get(2).get("restorable").asBoolean()).isFalse();
        assertThat(rows.get(2).get("refusal").asText()).contains("临时文件");

        // the keyring of the first backup beside both: the second's customers' keys are not in it, as restore says (exit 66)
        Files.move(oldKeyring, folder.resolve("keyring.dgk"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        rows = new ObjectMapper().readTree(command(settings, "backup", "list", "--json").out);
        assertThat(rows.get(0).get("restorable").asBoolean()).isFalse();
        assertThat(rows.get(0).get("refusal").asText()).contains("keyring.dgk").contains("早于备份");
        assertThat(rows.get(1).get("restorable").asBoolean()).isTrue();
        assertThat(command(settings(folder.resolve("target-home"), TestDatabase.emptyDatabase(), RunningService.TEST_MASTER_KEY),
                "restore", second.toString()).status).isEqualTo(66);

        // under another master key nothing would be restored; without a keyring neither
        Run foreign = command(settings.with(Map.of("dangan.master-key", Base64.getEncoder().encodeToString(new byte[32]))),
                "backup", "list", "--json");
        for (JsonNode row : new ObjectMapper().readTree(foreign.out)) assertThat(row.get("restorable").asBoolean()).isFalse();
        assertThat(new ObjectMapper().readTree(foreign.out).get(0).get("refusal").asText()).contains("主密钥");
        Files.delete(folder.resolve("keyring.dgk"));
        assertThat(command(settings, "backup", "list").out).contains("0 个可以恢复").contains("旁边没有 keyring.dgk");
    }

    private static String schemaVersion() throws SQLException {
        return (String) dangan.row("select max(version::int)::text as v from flyway_schema_history where version ~ '^[0-9]+$'").get("v");
    }

    /**
     * Two backups of one process in the same second (a firing blocked in its dump overlapping the next): each is a
     * whole file of its own, the second named {@code -2}; neither's temporary file is the other's, nothing is left.
     */
    @Test
    void twoBackupsOfOneProcessInTheSameSecondAreTwoWholeFiles(@TempDir Path folder) throws Exception {
        java.time.Clock sameSecond = java.time.Clock.fixed(java.time.Instant.parse("2026-12-06T01:30:00Z"), ZoneId.of("Asia/Shanghai"));
        Backups backups = new Backups(dangan.service().database().dataSource(), new BackupSettings(folder, 14,
                Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY), ZoneId.of("Asia/Shanghai")), Sealing.SEGMENT_BYTES, sameSecond);
        String url = dangan.service().settings().get("dangan.db.url");
        List<Catalog.Table> tables = org.jdbi.v3.core.Jdbi.create(url).withHandle(h -> Catalog.read(h).dataTables());
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<Backups.Result> made = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<Backups.Result>> running = new ArrayList<>();
            try (LockInTheWay lock = new LockInTheWay(url, "lock table " + Catalog.ident(tables.get(tables.size() - 1).name())
                    + " in access exclusive mode")) {
                for (int i = 0; i < 2; i++) running.add(two.submit(backups::run));
                lock.awaitBlocked(dangan.service().database().instance(), 2, "COPY%"); // both mid-dump, at once
            }
            for (java.util.concurrent.Future<Backups.Result> backup : running) made.add(backup.get());
        } finally {
            two.shutdownNow();
        }
        assertThat(made).extracting(r -> r.file().getFileName().toString())
                .containsExactlyInAnyOrder("dangan-20261206-093000.dgb", "dangan-20261206-093000-2.dgb");
        assertThat(Backups.list(folder)).hasSize(2);
        for (Backups.Result backup : made) assertThat(Files.size(backup.file())).isEqualTo(backup.bytes());
        try (var left = Files.list(folder)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "dangan-20261206-093000.dgb", "dangan-20261206-093000-2.dgb", Keyring.FILE_NAME);
        }
    }

    @Test
    void theCommandAndTheJobKeepTheNewestBackupsAndNeverTheKeyring(@TempDir Path folder) throws Exception {
        Run run = command(dangan.service().settings(), "backup");
        assertThat(run.status).as(run.err).isZero();
        assertThat(run.out).startsWith("备份 ").contains(".dgb").contains("档案");

        Backups keepTwo = new Backups(dangan.service().database().dataSource(),
                new BackupSettings(folder, 2, Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY), ZoneId.of("Asia/Shanghai")));
        List<Path> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) made.add(keepTwo.run().file());
        assertThat(Backups.list(folder)).containsExactly(made.get(2), made.get(1));
        assertThat(folder.resolve("keyring.dgk")).exists();

        assertThat(dangan.service().camelContext().getRoute("schedule-backup").getEndpoint().getEndpointUri())
                .startsWith("quartz://dangan/backup");
    }

    @Test
    void aCustomerDestroyedAfterTheBackupIsNotBroughtBack(@TempDir Path ownHome, @TempDir Path restoredHome) throws Exception {
        // an archive of its own: the destruction below must not reach what the other tests back up
        try (RunningService own = RunningService.start(ownHome)) {
            own.drop("daily-report-gbk.csv", Path.of("test-data/registrations/daily-report-gbk.csv"));
            assertThat(own.awaitHandled("daily-report-gbk.csv").toString()).contains("/done/");
            destroyAfterBackup(own, restoredHome);
        }
    }

    private static void destroyAfterBackup(RunningService own, Path restoredHome) throws Exception {
        Map<String, Object> wang = own.row("select id, archive_no from customer where mobile = ?", "13700137000");
        long id = ((Number) wang.get("id")).longValue();
        try (Connection c = own.service().database().dataSource().getConnection()) { // her deletion request (kept, V13)
            exec(c, "insert into subject_request (customer_id, archive_no, kind, received_via, received_by, due_at)"
                    + " values (?, ?, 'deletion', 'desk', '前台', now() + interval '15 days')", id, wang.get("archive_no"));
        }
        Backups.Result old = runJob(own);
        assertThat(own.count("select count(*) from health_fact where customer_id = ?", id)).isPositive();
        assertThat(own.count("select count(*) from consumption where customer_id = ?", id)).isPositive();

        // What a destruction does to the keys: the customer's keys go, a destruction record stays; then the keyring
        try (Connection c = own.service().database().dataSource().getConnection()) {
            c.setAutoCommit(false);
            exec(c, "delete from customer_key where customer_id = ?", id);
            exec(c, "insert into destruction_record (archive_no, reason, approved_by, method, counts)"
                    + " values (?, 'customer-request', '王经理', 'rows deleted, customer keys destroyed', '{}')", wang.get("archive_no"));
            c.commit();
        }
        Keyring.Written keyring = Keyring.rewrite(own.service().database().dataSource(), own.service().settings());
        assertThat(keyring.destructions()).isEqualTo(1);

        String url = TestDatabase.emptyDatabase();
        Restore.Result restored = Restore.run(settings(restoredHome, url, RunningService.TEST_MASTER_KEY), old.file(), null,
                line -> { });
        assertThat(restored.customersRemoved()).isEqualTo(1);
        assertThat(restored.destructionsAdded()).isEqualTo(1);
        assertThat(restored.removedRows()).containsKeys("customer", "health_fact", "consumption");

        try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
            assertThat(count(c, "select count(*) from customer where archive_no = ?", wang.get("archive_no"))).isZero();
            for (String table : List.of("health_fact", "consumption", "preference", "visit_ledger", "change_log", "customer_key")) {
                assertThat(count(c, "select count(*) from " + table + " where customer_id = ?", id)).as(table).isZero();
            }
            assertThat(count(c, "select count(*) from destruction_record where archive_no = ?", wang.get("archive_no"))).isEqualTo(1);
            // a key declared "on delete set null" keeps its row, as the destruction itself does
            assertThat(count(c, "select count(*) from subject_request where archive_no = ? and customer_id is null",
                    wang.get("archive_no"))).isEqualTo(1);
            assertThat(count(c, "select count(*) from customer")).isEqualTo(old.rows("customer") - 1);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static Backups.Result runJob() {
        return runJob(dangan);
    }

    private static Backups.Result runJob(RunningService service) {
        return service.service().camelContext().createProducerTemplate()
                .requestBody("direct:job-backup", null, Backups.Result.class);
    }

    private static Settings settings(Path home, String url, String masterKey) {
        return Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties()).with(Map.of(
                "dangan.home", home.toString(), "dangan.db.url", url, "dangan.db.user", "postgres",
                "dangan.master-key", masterKey));
    }

    /** Rows in every table of the archive except Flyway's history, Quartz's and the unlogged staging tables. */
    private static Map<String, Long> counts(RunningService service) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        for (Map<String, Object> t : service.rows("""
                select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind = 'r' and c.relpersistence = 'p'
                  and c.relname <> 'flyway_schema_history' and c.relname not like 'qrtz%'""")) {
            String name = (String) t.get("name");
            counts.put(name, service.count("select count(*) from \"" + name + "\""));
        }
        return counts;
    }

    private static SensitiveFields sensitiveFieldsOf(RunningService service) {
        SensitiveFields bound = service.bean("sensitiveFields", SensitiveFields.class);
        return bound != null ? bound : new SensitiveFields(Base64.getDecoder().decode(RunningService.TEST_MASTER_KEY));
    }

    /** Rows of a table, or -1 when the table does not exist. */
    private static long rowsIn(String url, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", null)) {
            if (count(c, "select count(*) from pg_tables where schemaname = 'public' and tablename = ?", table) == 0) return -1;
            return count(c, "select count(*) from \"" + table + "\"");
        }
    }

    private static long count(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void exec(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            ps.executeUpdate();
        }
    }

    private record Run(int status, String out, String err) {
    }

    private static Run command(Settings settings, String... args) {
        Commands.Run run = Commands.run(settings, args);
        return new Run(run.status(), run.out(), run.err());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
