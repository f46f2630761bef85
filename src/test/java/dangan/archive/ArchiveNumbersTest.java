package dangan.archive;

import dangan.config.Settings;
import dangan.store.ArchiveDatabase;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** D-14 under concurrent writers: every number unique, serials contiguous, none reused. */
@Tag("database")
class ArchiveNumbersTest {

    static ArchiveDatabase database;
    static DataSource ds;

    @BeforeAll
    static void open() {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .with(Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                        "dangan.db.pool-size", "20"));
        database = ArchiveDatabase.open(settings);
        ds = database.dataSource();
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void formatIsYearMonthAndAtLeastThreeSerialDigits() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select archive_no('202309', 1), archive_no('202309', 42), archive_no('202309', 1000)")) {
            rs.next();
            assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3)))
                    .containsExactly("202309001", "202309042", "2023091000");
        }
    }

    @Test
    void concurrentSingleReservationsNeverCollide() throws Exception {
        YearMonth month = YearMonth.of(2023, 9);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            futures.add(pool.submit(() -> {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    try (Handle h = Db.jdbi(ds).open()) {
                        h.begin();
                        String number = ArchiveNumbers.next(h, month);
                        if (i % 7 == 0) {
                            h.rollback(); // an archive that was never opened: its number may go to the next one
                        } else {
                            h.commit();
                            mine.add(number);
                        }
                    }
                }
                return mine;
            }));
        }
        Set<String> all = new HashSet<>();
        int total = 0;
        for (Future<List<String>> f : futures) {
            List<String> mine = f.get();
            total += mine.size();
            all.addAll(mine);
        }
        pool.shutdown();
        assertThat(total).isEqualTo(16 * 42);
        assertThat(all).hasSize(total); // no committed number was handed out twice
    }

    @Test
    void concurrentMergesNumberEveryNewArchiveOnce() throws Exception {
        YearMonth month = YearMonth.of(2024, 2);
        int writers = 4;
        int rowsEach = 150;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<MergeCounts>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            futures.add(pool.submit((Callable<MergeCounts>) () -> {
                return Db.jdbi(ds).inTransaction(h -> {
                    long ingest = h.createQuery("""
                                    insert into ingest (source_type, channel, source_name, status)
                                    values ('file', 'test', :name, 'running') returning id""")
                            .bind("name", "writer-" + writer).mapTo(Long.class).one();
                    PreparedBatch rows = h.prepareBatch(
                            "insert into intake_row (ingest_id, line_no, name, mobile) values (:ingest, :line, :name, :mobile)");
                    for (int i = 0; i < rowsEach; i++) {
                        rows.bind("ingest", ingest).bind("line", i + 2).bind("name", "客户" + writer + "-" + i)
                                .bind("mobile", String.format("1370%d%06d", writer, i)).add();
                    }
                    rows.execute();
                    return ArchiveMerge.merge(h, ingest, MergeOptions.of(month, "test"));
                });
            }));
        }
        for (Future<MergeCounts> f : futures) {
            assertThat(f.get().created()).isEqualTo(rowsEach);
        }
        pool.shutdown();
        List<String> numbers = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select archive_no from customer where archive_no like '202402%' order by archive_no")) {
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) numbers.add(rs.getString(1));
            }
        }
        assertThat(numbers).containsExactlyElementsOf(
                IntStream.rangeClosed(1, writers * rowsEach).mapToObj(i -> String.format("202402%03d", i)).toList());
    }
}
