package dangan.archive;

import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file of new customers costs the merge only what it files (issue 14: 1,000,000 new customers ≤ 1.3×
 * the floor). The merge runs only the steps whose rows are there — no settling, holding or ranking when
 * every line opened an archive, no fact step for a kind of fact no line carries — and opening the
 * archives rewrites each staged line on its own page. The same file dropped again runs the steps of
 * matched lines and changes nothing.
 */
@Tag("database")
class NewCustomersMergeTest {

    private static final int LINES = 2_000;

    private static Jdbi jdbi;

    @BeforeAll
    static void database() {
        jdbi = TestDatabase.freshJdbi();
    }

    @Test
    void newCustomersWithAVisitRunOnlyTheStepsTheyNeedAndAgainChangeNothing() {
        List<String> steps = new ArrayList<>();
        long[] hotUpdates = new long[1];
        MergeCounts opened = jdbi.inTransaction(h -> {
            MergeCounts counts = ArchiveMerge.merge(h, stageWithVisits(h, "new.csv"),
                    MergeOptions.of(YearMonth.of(2026, 12), "intake of new.csv"), (step, plan) -> steps.add(step));
            // the rows this transaction rewrote without moving them off their page (no new index entry)
            hotUpdates[0] = h.createQuery("select pg_stat_get_xact_tuples_hot_updated('intake_row'::regclass)")
                    .mapTo(Long.class).one();
            return counts;
        });

        assertThat(opened.created()).isEqualTo(LINES);
        assertThat(steps).containsExactly("merge/match", "merge/open-archives", "merge/add-visits");
        assertThat(hotUpdates[0]).isEqualTo(LINES);
        assertThat(count("select count(*) from consumption")).isEqualTo(LINES);

        steps.clear();
        MergeCounts again = jdbi.inTransaction(h -> ArchiveMerge.merge(h, stageWithVisits(h, "new-again.csv"),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of new-again.csv"), (step, plan) -> steps.add(step)));

        assertThat(again.duplicates()).isEqualTo(LINES);
        assertThat(again.created() + again.updated() + again.review()).isZero();
        assertThat(steps).contains("merge/hold-sealed", "merge/settle-outcomes", "merge/add-visits")
                .doesNotContain("merge/open-archives", "merge/add-preferences", "merge/add-health", "merge/file-keys");
        assertThat(count("select count(*) from customer")).isEqualTo(LINES);
        assertThat(count("select count(*) from consumption")).isEqualTo(LINES);
        assertThat(count("select count(*) from change_log")).isZero();
    }

    /** Customers 1..LINES, one a line, by mobile, with a visit each, staged as the staging writer leaves them. */
    private static long stageWithVisits(Handle h, String name) {
        long ingest = h.createQuery("insert into ingest (source_type, channel, source_name, status)"
                        + " values ('file', 'registrations', :name, 'running') returning id")
                .bind("name", name).mapTo(Long.class).one();
        h.createUpdate("insert into intake_row (ingest_id, line_no, name, gender, mobile, address, visit_date, amount, service, branch)"
                        + " select :ingest, i, '客户' || i, 'F', '139' || lpad(i::text, 8, '0'), '深圳市福田区' || i || '号',"
                        + " date '2026-11-01' + i % 28, 100 + i % 900, '精油按摩', '福田店'"
                        + " from generate_series(1, :lines) i")
                .bind("ingest", ingest).bind("lines", LINES).execute();
        return ingest;
    }

    private static long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
