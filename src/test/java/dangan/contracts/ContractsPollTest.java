package dangan.contracts;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.classic.Level;
import dangan.flow.Flow;
import dangan.support.LogCapture;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Contracts (D-10) end to end: a second real PostgreSQL database plays the contracts system;
 * the real service polls it through routes/contracts.yaml with the default query.
 */
@Tag("service")
class ContractsPollTest {

    @TempDir
    Path home;
    String archiveUrl;
    String contractsUrl;
    RunningService dangan;

    @BeforeEach
    void contractsSystem() throws SQLException {
        archiveUrl = TestDatabase.freshDatabase();
        contractsUrl = TestDatabase.emptyDatabase();
        contractsSql("""
                create table contracts (
                    contract_no   text primary key,
                    customer_name text,
                    mobile        text,
                    id_number     text,
                    email         text,
                    service       text,
                    amount        numeric(12, 2),
                    signed_on     date,
                    updated_at    timestamptz not null
                )""");
    }

    @AfterEach
    void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void theFirstPollFilesCustomersAndTheirContracts() throws Exception {
        contract("HT-001", "张伟", "138-0013-8000", null, "zhangwei@example.cn", "年度保洁", "12800", "2026-03-01", "2026-11-01T09:00:00Z");
        contract("HT-002", "李娜", null, "11010519491231002X", null, "月嫂服务", "26800.50", "2026-04-15", "2026-11-01T09:05:00Z");
        dangan = start();

        Map<String, Object> ingest = awaitIngests(1).get(0);
        assertThat(ingest).containsEntry("source_type", "contracts").containsEntry("channel", "contracts")
                .containsEntry("status", "done").containsEntry("rows_total", 2).containsEntry("rows_new", 2)
                .containsEntry("rows_rejected", 0).containsEntry("format", "contracts query");
        assertThat((String) ingest.get("source_name")).matches("contracts poll \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(ingest.get("extra_columns")).isNull(); // updated_at is bookkeeping, not an attribute

        Map<String, Object> zhang = dangan.row("select * from customer where mobile = ?", "13800138000");
        assertThat(zhang).containsEntry("name", "张伟").containsEntry("email", "zhangwei@example.cn");
        assertThat(zhang.get("extra").toString()).isEqualTo("{}");
        assertThat(dangan.row("select contract_no, visit_date, amount, service, source_ingest_id from consumption where customer_id = ?",
                zhang.get("id")))
                .containsEntry("contract_no", "HT-001").containsEntry("visit_date", java.sql.Date.valueOf("2026-03-01"))
                .containsEntry("amount", new BigDecimal("12800.00")).containsEntry("service", "年度保洁")
                .containsEntry("source_ingest_id", ingest.get("id"));
        assertThat(dangan.row("select c.name, c.id_number_masked, s.contract_no, s.amount from consumption s"
                + " join customer c on c.id = s.customer_id where s.contract_no = ?", "HT-002"))
                .containsEntry("name", "李娜").containsEntry("id_number_masked", "110105********002X")
                .containsEntry("amount", new BigDecimal("26800.50"));
        assertThat(watermark()).isEqualTo(OffsetDateTime.parse("2026-11-01T09:05:00Z"));
        // the poll counts as done when it returns, a moment after the commit the test waited for
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> contractsFlow().drained());
        assertThat(Files.exists(home.resolve("outbox/rejects").resolve(ingest.get("source_name") + ".rejects.csv")))
                .as("no report for a poll without issues").isFalse();
    }

    @Test
    void aPollThatFilesRowsLogsItsOneSummaryLineAndNoError() throws Exception {
        contract("HT-060", "沈悦", "18800188000", null, null, "保洁", "300", "2026-09-02", "2026-11-08T08:00:00Z");
        try (LogCapture log = LogCapture.start()) {
            dangan = start();
            String name = (String) awaitIngests(1).get(0).get("source_name");
            // the route's log step (logger contracts-poll) writes the poll's summary, as a dropped file's
            ILoggingEvent summary = await("the poll's summary line").atMost(Duration.ofSeconds(30))
                    .until(() -> log.byThread("timer://contracts-poll").stream()
                            .filter(e -> e.getLoggerName().equals("contracts-poll") && e.getFormattedMessage().contains(name))
                            .findFirst(), java.util.Optional::isPresent).orElseThrow();
            assertThat(summary.getLevel()).isEqualTo(Level.INFO);
            assertThat(summary.getFormattedMessage()).contains("共 1 行").contains("新建 1");
            await("the poll counts as done").atMost(Duration.ofSeconds(30)).until(() -> contractsFlow().drained());
            assertThat(LogCapture.warnings(log.byThread("timer://contracts-poll")))
                    .as("a poll that filed its rows logs no warning, error or stack trace").isEmpty();
            assertThat(log.byThread("timer://contracts-poll")).noneMatch(e -> e.getThrowableProxy() != null);
        }
    }

    @Test
    void aContractChangedAfterAPollIsReadByTheNextPollAndOnlyIt() throws Exception {
        contract("HT-010", "王芳", "13900139000", null, null, "钟点工", "300", "2026-05-01", "2026-11-01T10:00:00Z");
        contract("HT-011", "赵磊", "13700137000", null, null, "深度保洁", "800", "2026-05-02", "2026-11-01T10:01:00Z");
        dangan = start();
        awaitIngests(1);

        NotifyBuilder polls = polls(2);
        contractsSql("update contracts set amount = 950, service = '深度保洁(加急)', updated_at = '2026-11-02T08:00:00Z'"
                + " where contract_no = 'HT-011'");

        List<Map<String, Object>> ingests = awaitIngests(2);
        assertThat(ingests.get(1)).containsEntry("rows_total", 1).containsEntry("rows_new", 0).containsEntry("rows_updated", 1);
        assertThat(dangan.rows("select s.source_line, s.amount, s.service from consumption s join ingest g on g.id = s.source_ingest_id"
                + " where g.id = ?", ingests.get(1).get("id")))
                .containsExactly(Map.of("source_line", 1, "amount", new BigDecimal("950.00"), "service", "深度保洁(加急)"));
        assertThat(dangan.count("select count(*) from customer")).isEqualTo(2);
        // a changed contract is still one fact, and the change register says what it said before
        assertThat(dangan.count("select count(*) from consumption where contract_no = ?", "HT-011")).isEqualTo(1);
        assertThat(dangan.row("select old_value, new_value from change_log where field = ?", "contract HT-011"))
                .containsEntry("old_value", "2026-05-02 800.00 深度保洁").containsEntry("new_value", "2026-05-02 950.00 深度保洁(加急)");

        // later polls find nothing new and write nothing
        assertThat(polls.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(contractIngests()).hasSize(2);
    }

    @Test
    void aRowArrivingLaterWithTheWatermarksOwnTimestampIsReadAndTheOthersAreNotReadAgain() throws Exception {
        contract("HT-020", "孙丽", "13600136000", null, null, "保姆", "5000", "2026-06-01", "2026-11-03T12:00:00Z");
        dangan = start();
        awaitIngests(1);

        // committed late by the contracts system, stamped with the same time as the row already filed
        contract("HT-021", "周强", "13500135000", null, null, "保姆", "5200", "2026-06-02", "2026-11-03T12:00:00Z");

        Map<String, Object> second = awaitIngests(2).get(1);
        assertThat(second).containsEntry("rows_total", 1).containsEntry("rows_new", 1);
        assertThat(dangan.row("select c.name from consumption s join customer c on c.id = s.customer_id where s.source_ingest_id = ?",
                second.get("id"))).containsEntry("name", "周强");
        NotifyBuilder polls = polls(2);
        assertThat(polls.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(contractIngests()).hasSize(2);
    }

    @Test
    void afterARestartNothingIsReadAgainAndNewRowsAreRead() throws Exception {
        contract("HT-030", "钱多", "13400134000", null, null, "家政", "1000", "2026-07-01", "2026-11-04T08:00:00Z");
        contract("HT-031", "冯佳", "13300133000", null, null, "家政", "1200", "2026-07-02", "2026-11-04T08:30:00Z");
        dangan = start();
        awaitIngests(1);
        dangan.close();
        awaitNoConnectionsToContracts();

        dangan = start(); // a new service on the same archive database
        NotifyBuilder polls = polls(2);
        assertThat(polls.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(contractIngests()).hasSize(1);
        assertThat(contractsFlow().drained()).isTrue();

        contract("HT-032", "陈晨", "13200132000", null, null, "家政", "1500", "2026-07-03", "2026-11-05T09:00:00Z");
        Map<String, Object> second = awaitIngests(2).get(1);
        assertThat(second).containsEntry("rows_total", 1).containsEntry("rows_new", 1);
        assertThat(dangan.count("select count(*) from consumption where contract_no in ('HT-030', 'HT-031', 'HT-032')")).isEqualTo(3);
    }

    @Test
    void aContractWithoutNameOrIdentifierIsRejectedWithItsReason() throws Exception {
        contract("HT-040", "", "13100131000", null, null, "保洁", "200", "2026-08-01", "2026-11-06T08:00:00Z");
        contract("HT-041", "褚明", "12345", null, null, "保洁", "200", "2026-08-02", "2026-11-06T08:01:00Z");
        contract("HT-042", "卫东", "13000130000", null, null, "保洁", "not a number", "2026-08-03", "2026-11-06T08:02:00Z");
        dangan = start();

        Map<String, Object> ingest = awaitIngests(1).get(0);
        assertThat(ingest).containsEntry("status", "done").containsEntry("rows_total", 3).containsEntry("rows_new", 1)
                .containsEntry("rows_rejected", 2).containsEntry("warnings", 1);
        assertThat(dangan.rows("select line_no, severity, column_name, reason from intake_issue where ingest_id = ? order by line_no",
                ingest.get("id")))
                .extracting(r -> r.get("line_no") + "|" + r.get("severity") + "|" + r.get("column_name") + "|" + r.get("reason"))
                .satisfiesExactly(
                        r -> assertThat(r).startsWith("1|reject|name|姓名为空"),
                        r -> assertThat(r).startsWith("2|reject|mobile/id_number/email|无法识别客户")
                                .contains("'12345'"),
                        r -> assertThat(r).startsWith("3|warning|amount|'not a number' 不是金额"));
        Path report = home.resolve("outbox/rejects").resolve(ingest.get("source_name") + ".rejects.csv");
        // the report is written once the poll's transaction has committed: wait for it
        await("the reject report of the poll").atMost(Duration.ofSeconds(10)).until(() -> Files.exists(report));
        assertThat(Files.readString(report, StandardCharsets.UTF_8)).contains("1,拒收,name,,姓名为空");
        // the line with a bad amount is filed without it
        assertThat(dangan.row("select s.contract_no, s.amount from consumption s join customer c on c.id = s.customer_id"
                + " where c.mobile = ?", "13000130000")).containsEntry("contract_no", "HT-042").containsEntry("amount", null);
        assertThat(dangan.count("select count(*) from customer")).isEqualTo(1);
        // the watermark moved past the rejected rows: they are reported once, not on every poll
        assertThat(watermark()).isEqualTo(OffsetDateTime.parse("2026-11-06T08:02:00Z"));
    }

    @Test
    void withoutAUrlTheSourceIsOffAndNothingPolls() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger flowLog = (Logger) LoggerFactory.getLogger(ContractsFlow.class);
        flowLog.addAppender(log);
        try {
            dangan = RunningService.start(home, Map.of("dangan.db.url", archiveUrl, "dangan.db.user", "postgres",
                    "dangan.contracts.poll-ms", "100", "dangan.contracts.first-poll-ms", "0"));
            assertThat(polls(3).matches(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            flowLog.detachAppender(log);
        }
        // other test classes start services in parallel: count this thread's start-up only
        String starter = Thread.currentThread().getName();
        assertThat(log.list).filteredOn(e -> e.getThreadName().equals(starter))
                .filteredOn(e -> e.getFormattedMessage().startsWith("合同数据库：未开启")).hasSize(1);
        assertThat(contractsFlow().drained()).isTrue();
        assertThat(contractIngests()).isEmpty();
        assertThat(dangan.count("select count(*) from source_watermark")).isZero();
    }

    @Test
    void onceWaitsForTheFirstPoll() throws Exception {
        contract("HT-050", "蒋红", "18900189000", null, null, "保洁", "100", "2026-09-01", "2026-11-07T08:00:00Z");
        Map<String, String> config = new HashMap<>(Map.of("dangan.db.url", archiveUrl, "dangan.db.user", "postgres",
                "dangan.contracts.db.url", contractsUrl, "dangan.contracts.db.user", "postgres",
                "dangan.contracts.first-poll-ms", "600000"));
        dangan = RunningService.start(home, config);
        assertThat(contractsFlow().drained()).as("not drained before the first poll").isFalse();
        assertThat(contractIngests()).isEmpty();
    }

    @Test
    void aContractExportDroppedIntoTheInboxIsFiledWithItsContractNumbers() throws Exception {
        dangan = start();
        Path inbox = home.resolve("inbox/contracts");
        Path copying = Files.createTempFile(home, "copying-", ".tmp");
        Files.copy(Path.of("test-data/contracts/contracts-export.csv"), copying, StandardCopyOption.REPLACE_EXISTING);
        Files.move(copying, inbox.resolve("contracts-export.csv"), StandardCopyOption.ATOMIC_MOVE);

        assertThat(awaitHandled(inbox, "contracts-export.csv").toString()).contains("/done/");
        assertThat(dangan.row("select source_type, channel, rows_total, rows_new, rows_rejected from ingest where source_name = ?",
                "contracts-export.csv"))
                .containsEntry("source_type", "file").containsEntry("channel", "contracts")
                .containsEntry("rows_total", 4).containsEntry("rows_new", 3).containsEntry("rows_rejected", 1);
        assertThat(dangan.row("select s.contract_no, s.visit_date, s.amount, c.name from consumption s join customer c on c.id = s.customer_id"
                + " where c.mobile = ?", "13922223333"))
                .containsEntry("contract_no", "HT-2026-0102").containsEntry("visit_date", java.sql.Date.valueOf("2026-03-15"))
                .containsEntry("amount", new BigDecimal("26800.00")).containsEntry("name", "吴敏");
        assertThat(dangan.count("select count(*) from consumption where contract_no like 'HT-2026-01%'")).isEqualTo(3);
        assertThat(home.resolve("outbox/rejects/contracts-export.csv.rejects.csv")).exists();
    }

    // --- the contracts system and the service -------------------------------------------------

    private RunningService start() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put("dangan.db.url", archiveUrl);
        config.put("dangan.db.user", "postgres");
        config.put("dangan.contracts.db.url", contractsUrl);
        config.put("dangan.contracts.db.user", "postgres");
        config.put("dangan.contracts.poll-ms", "100");
        config.put("dangan.contracts.first-poll-ms", "0");
        return RunningService.start(home, config);
    }

    /** The contracts pool is closed with the service. */
    private void awaitNoConnectionsToContracts() {
        await("no connection to the contracts database left open after stop").atMost(Duration.ofSeconds(10))
                .until(this::connectionsToContracts, n -> n == 0);
    }

    private long connectionsToContracts() throws SQLException {
        try (Connection c = DriverManager.getConnection(contractsUrl); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where datname = current_database()"
                     + " and pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void contractsSql(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(contractsUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void contract(String no, String name, String mobile, String idNumber, String email, String service,
                          String amount, String signedOn, String updatedAt) throws SQLException {
        try (Connection c = DriverManager.getConnection(contractsUrl);
             PreparedStatement ps = c.prepareStatement("insert into contracts values (?, ?, ?, ?, ?, ?, ?::numeric, ?::date, ?::timestamptz)")) {
            Object[] values = {no, name, mobile, idNumber, email, service, amount.matches("[0-9.]+") ? amount : null, signedOn, updatedAt};
            for (int i = 0; i < values.length; i++) ps.setObject(i + 1, values[i]);
            ps.executeUpdate();
        }
        if (!amount.matches("[0-9.]+")) {
            // a numeric column cannot hold it; the contracts system's text is what the test means
            contractsSql("alter table contracts alter column amount type text");
            try (Connection c = DriverManager.getConnection(contractsUrl);
                 PreparedStatement ps = c.prepareStatement("update contracts set amount = ? where contract_no = ?")) {
                ps.setString(1, amount);
                ps.setString(2, no);
                ps.executeUpdate();
            }
        }
    }

    /** Done after {@code count} more polls have run through the contracts-poll route. */
    private NotifyBuilder polls(int count) {
        return new NotifyBuilder(dangan.service().camelContext()).fromRoute("contracts-poll").whenDone(count).create();
    }

    private OffsetDateTime watermark() throws SQLException {
        return OffsetDateTime.parse((String) dangan.row(
                "select to_char(last_seen at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') as t from source_watermark"
                        + " where source = 'contracts'").get("t"));
    }

    private List<Map<String, Object>> contractIngests() throws SQLException {
        return dangan.rows("select * from ingest where source_type = 'contracts' order by id");
    }

    /** The contract polls filed once {@code count} are, none still running; exactly {@code count}. */
    private List<Map<String, Object>> awaitIngests(int count) {
        List<Map<String, Object>> ingests = await(count + " contract polls filed").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(this::contractIngests,
                        found -> found.size() >= count && found.stream().noneMatch(i -> "running".equals(i.get("status"))));
        assertThat(ingests).hasSize(count);
        return ingests;
    }

    private Flow contractsFlow() {
        return dangan.service().flows().stream().filter(f -> f instanceof ContractsFlow).findFirst().orElseThrow();
    }

    private static Path awaitHandled(Path inbox, String name) {
        return RunningService.awaitHandled(inbox, name, Duration.ofSeconds(30));
    }
}
