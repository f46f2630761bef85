package dangan.archive;

import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.YearMonth;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file of changed lines costs the merge what it files and registers (issue 14: 1,000,000 changed lines
 * ≤ 2× the floor): after COPY each staged line is written once (matching gives it its archive), not again
 * only to be counted, and a filing stages no change it applies — the change register and the archive
 * have those; only a change held or refused waits in the staging table for its queue and warning. Every
 * change is still in the register with the line that made it.
 */
@Tag("database")
class ChangedLinesMergeTest {

    private static final int LINES = 2_000;

    private static Jdbi jdbi;

    @BeforeAll
    static void database() {
        jdbi = TestDatabase.freshJdbi();
    }

    @Test
    void aFilingWritesEachStagedLineOnceAndStagesNoChangeItApplies() {
        MergeCounts opened = jdbi.inTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "first.csv", 1, LINES, "福田区"),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of first.csv")));
        assertThat(opened.created()).isEqualTo(LINES);

        long[] written = new long[2];
        MergeCounts moved;
        try (Handle other = jdbi.open()) {
            // another session has the staging tables in hand, so the merge deletes its rows instead of truncating
            // them, and what its transaction wrote into them stays countable until it ends
            other.begin();
            other.execute("lock table intake_row, intake_change in access share mode");
            moved = jdbi.inTransaction(h -> {
                MergeCounts counts = ArchiveMerge.merge(h, MergePlanTest.stage(h, "moved.csv", 1, LINES, "南山区"),
                        MergeOptions.of(YearMonth.of(2026, 12), "intake of moved.csv"));
                written[0] = count(h, "select pg_stat_get_xact_tuples_updated('intake_row'::regclass)");
                written[1] = count(h, "select pg_stat_get_xact_tuples_inserted('intake_change'::regclass)");
                return counts;
            });
            other.rollback();
        }

        assertThat(moved.updated()).isEqualTo(LINES);
        assertThat(moved.created() + moved.duplicates() + moved.review() + moved.notApplied()).isZero();
        assertThat(written[0]).as("staged lines rewritten: once each, by matching").isEqualTo(LINES);
        assertThat(written[1]).as("applied changes staged by a filing").isZero();
        jdbi.useHandle(h -> {
            assertThat(count(h, "select count(*) from customer where address like '南山区%'")).isEqualTo(LINES);
            assertThat(count(h, """
                    select count(*) from change_log l join ingest i on i.id = l.source_ingest_id
                    where i.source_name = 'moved.csv' and l.field = 'address' and l.old_value like '福田区%'
                      and l.new_value like '南山区%' and l.reason = 'intake of moved.csv'
                      and l.source_line between 1 and 2000""")).isEqualTo(LINES);
            assertThat(count(h, "select count(*) from intake_row")).isZero();
            assertThat(count(h, "select count(*) from intake_change")).isZero();
        });
    }

    private static long count(Handle h, String sql) {
        return h.createQuery(sql).mapTo(Long.class).one();
    }
}
