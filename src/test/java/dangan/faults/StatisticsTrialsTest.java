package dangan.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.support.MergePlans;
import dangan.support.ServiceProcess;
import dangan.support.StoppableDatabase;
import dangan.support.Trials;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Statistics under the merge's feet (issue 15, the statistics trial): a file that changes the address of
 * every customer of an earlier file is stopped when its lines are in staging and not yet committed
 * ({@link FaultPoint} {@code staged}); another session then runs ANALYZE of every staging and intake table
 * (it sees the uncommitted rows as none: {@code intake_row} at reltuples = 0, the statistics that made one
 * merge statement run 9.5 minutes), while autovacuum runs at its most eager (naptime 1 s, thresholds and
 * scale factors 0). The file then goes on: it is filed exactly once, and no plan of the merge — every
 * statement's plan as auto_explain logged it on the trial's own PostgreSQL — has a nested loop over the
 * staged rows (the check of MergePlanTest, {@link MergePlans}). No clock in the assertion.
 */
@Tag("faults")
class StatisticsTrialsTest {

    private static final List<String> INTAKE_TABLES = List.of("intake_row", "intake_change", "intake_issue");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void anAnalyzeOfUncommittedStagingAndEagerAutovacuumChangeNothingButTheTiming() throws Exception {
        int lines = Integer.getInteger("faults.lines", 3_000);
        Path logs = dir.resolve("pg-log");
        StoppableDatabase database = StoppableDatabase.start(dir.resolve("pg"), Map.ofEntries(
                entry("logging_collector", "on"), entry("log_destination", "jsonlog"), entry("log_directory", logs.toString()),
                entry("session_preload_libraries", "auto_explain"), entry("auto_explain.log_min_duration", "0"),
                entry("auto_explain.log_format", "json"),
                entry("autovacuum_naptime", "1"), entry("autovacuum_vacuum_threshold", "0"),
                entry("autovacuum_analyze_threshold", "0"), entry("autovacuum_vacuum_scale_factor", "0"),
                entry("autovacuum_analyze_scale_factor", "0"), entry("autovacuum_vacuum_insert_threshold", "0"),
                entry("autovacuum_vacuum_insert_scale_factor", "0"), entry("autovacuum_vacuum_cost_delay", "0")));
        Path home = dir.resolve("home");
        FiledOnce base = new FiledOnce("base.csv", 71, lines);
        String moved = "moved.csv";
        ServiceProcess service = ServiceProcess.start(home, Map.of("dangan.db.url", database.url(), "dangan.db.user", "postgres",
                "dangan.faults.pause-at", "staged@" + moved));
        try {
            base.drop(home);
            await("base.csv filed").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
                    .until(() -> base.moment(database.url(), home).equals("moved"));
            dropMoved(home, base, moved);
            Path marker = home.resolve("paused").resolve("staged@" + moved);
            await(moved + " staged, not committed").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(20))
                    .until(() -> Files.exists(marker));
            float reltuples;
            try (Connection c = DriverManager.getConnection(database.url(), "postgres", null); Statement s = c.createStatement()) {
                for (String table : INTAKE_TABLES) s.execute("analyze " + table);
                try (ResultSet rs = s.executeQuery("select reltuples from pg_class where relname = 'intake_row'")) {
                    rs.next();
                    reltuples = rs.getFloat(1);
                }
            }
            Files.delete(marker);
            await(moved + " filed").atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !Files.exists(home.resolve("inbox/registrations").resolve(moved))
                            && doneIngests(database, moved) == 1);

            long changed = count(database, "select count(*) from customer where address like '南山区新址%'");
            long running = count(database, "select count(*) from ingest where status = 'running'");
            long updated = count(database, "select coalesce(sum(rows_updated), 0) from ingest where source_name = '" + moved + "'");
            List<JsonNode> plans = stagingPlans(logs);
            List<String> loops = new ArrayList<>();
            for (JsonNode plan : plans) loops.addAll(MergePlans.loopsOverStaging(moved, plan));
            boolean held = reltuples == 0 && changed == base.valid() && updated == base.valid() && running == 0
                    && !plans.isEmpty() && loops.isEmpty();
            Trials.record("statistics: ANALYZE of uncommitted staging, eager autovacuum",
                    "staged, not committed (" + lines + " changed lines)",
                    "filed once; no nested loop over staged rows in any merge plan",
                    "intake_row reltuples " + reltuples + " after the ANALYZE; " + changed + " addresses changed of " + base.valid()
                            + ", ingest updated " + updated + ", running " + running + "; " + plans.size()
                            + " plans over staging logged, " + loops.size() + " nested loops over staged rows", held);
            assertThat(reltuples).as("the ANALYZE saw the staged rows uncommitted").isZero();
            assertThat(plans).as("auto_explain logged the merge's plans").isNotEmpty();
            assertThat(loops).isEmpty();
            assertThat(changed).isEqualTo(base.valid());
            assertThat(updated).isEqualTo(base.valid());
            assertThat(running).isZero();
        } finally {
            service.terminate(Duration.ofSeconds(60));
            database.close();
        }
    }

    /** Every customer of the base file with a new address: one changed line each. */
    private static void dropMoved(Path home, FiledOnce base, String name) throws Exception {
        StringBuilder csv = new StringBuilder("姓名,手机,地址\n");
        for (int i = 1; i <= base.lines(); i++) {
            if (i % 500 == 0) continue; // no mobile in the base file: rejected there
            csv.append("客人").append(base.prefix()).append('-').append(i).append(',')
                    .append(base.mobilePrefix()).append(String.format("%08d", i)).append(",南山区新址").append(i).append('\n');
        }
        Path staging = Files.createTempFile(home, "copying-", ".tmp");
        Files.writeString(staging, csv, StandardCharsets.UTF_8);
        Files.move(staging, home.resolve("inbox/registrations").resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The plans auto_explain logged that read the staged rows (the merge's statements). */
    private static List<JsonNode> stagingPlans(Path logs) throws Exception {
        List<JsonNode> plans = new ArrayList<>();
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String message = JSON.readTree(line).path("message").asText();
                    int plan = message.indexOf("plan:");
                    if (plan < 0) continue;
                    JsonNode statement = JSON.readTree(message.substring(message.indexOf('{', plan)));
                    if (MergePlans.readsStaging(statement)) plans.add(statement);
                }
            }
        }
        return plans;
    }

    private static long doneIngests(StoppableDatabase database, String name) throws Exception {
        return count(database, "select count(*) from ingest where status = 'done' and source_name = '" + name + "'");
    }

    private static long count(StoppableDatabase database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database.url(), "postgres", null);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
