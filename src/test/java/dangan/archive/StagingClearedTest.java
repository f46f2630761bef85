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
 * A merge leaves the staging tables as small as it found them (issue 14): deleted staged rows kept
 * their pages until a vacuum, so after a 1,000,000-line file every step of the next files read 270 MB
 * of dead rows again. A merge that has the staging tables to itself truncates them; one that does not
 * (another ingest is staging) deletes only its own rows and leaves the other's where they are.
 * And a filing writes into them only what it needs (1,000,000 changed lines ≤ 2× the floor): after COPY each
 * staged line is written once (matching gives it its archive, a heap-only update), not again only to be counted, and no change
 * it applies is staged — the change register and the archive have those; only a change held or refused waits
 * there for its queue and warning. Every change is still in the register with the line that made it.
 */
@Tag("database")
class StagingClearedTest {

    private static Jdbi jdbi;

    @BeforeAll
    static void database() {
        jdbi = TestDatabase.freshJdbi();
    }

    @Test
    void aMergeAloneLeavesTheStagingTablesWithoutAPage() {
        MergeCounts counts = jdbi.inTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "alone.csv", 1, 2_000, "福田区"),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of alone.csv")));
        MergeCounts again = jdbi.inTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "alone-moved.csv", 1, 2_000, "南山区"),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of alone-moved.csv")));

        assertThat(counts.created()).isEqualTo(2_000);
        assertThat(again.updated()).isEqualTo(2_000);
        assertThat(pages("intake_row")).isZero();
        assertThat(pages("intake_change")).isZero();
    }

    @Test
    void anotherIngestsStagedRowsAreLeftWhereTheyAre() {
        try (Handle other = jdbi.open()) {
            other.begin();
            long waiting = MergePlanTest.stage(other, "waiting.csv", 50_001, 10, "罗湖区");

            MergeCounts counts = jdbi.inTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "first.csv", 40_001, 500, "宝安区"),
                    MergeOptions.of(YearMonth.of(2026, 12), "intake of first.csv")));
            assertThat(counts.created()).isEqualTo(500);
            int left = jdbi.withHandle(h -> h.createQuery("select count(*) from intake_row").mapTo(Integer.class).one());
            assertThat(left).as("no committed staged rows are left of the merged ingest").isZero();
            assertThat(other.createQuery("select count(*) from intake_row where ingest_id = :id").bind("id", waiting)
                    .mapTo(Integer.class).one()).as("the other ingest's rows are still staged").isEqualTo(10);

            MergeCounts theOther = ArchiveMerge.merge(other, waiting, MergeOptions.of(YearMonth.of(2026, 12), "intake of waiting.csv"));
            other.commit();
            assertThat(theOther.created()).isEqualTo(10);
        }
        int filed = jdbi.withHandle(h -> h.createQuery("select count(*) from customer where address like '罗湖区%' or address like '宝安区%'")
                .mapTo(Integer.class).one());
        assertThat(filed).isEqualTo(510);
        assertThat(pages("intake_row")).as("the last merge had the table to itself").isZero();
    }

    @Test
    void aFilingWritesEachStagedLineOnceAndStagesNoChangeItApplies() {
        int lines = 2_000;
        MergeCounts opened = jdbi.inTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "before-move.csv", 60_001, lines, "龙岗区"),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of before-move.csv")));
        assertThat(opened.created()).isEqualTo(lines);

        long[] written = new long[3];
        MergeCounts moved;
        try (Handle other = jdbi.open()) {
            // another session has the staging tables in hand, so the merge deletes its rows instead of truncating
            // them, and what its transaction wrote into them stays countable until it ends
            other.begin();
            other.execute("lock table intake_row, intake_change in access share mode");
            moved = jdbi.inTransaction(h -> {
                MergeCounts counts = ArchiveMerge.merge(h, MergePlanTest.stage(h, "moved.csv", 60_001, lines, "龙华区"),
                        MergeOptions.of(YearMonth.of(2026, 12), "intake of moved.csv"));
                written[0] = count(h, "select pg_stat_get_xact_tuples_updated('intake_row'::regclass)");
                written[1] = count(h, "select pg_stat_get_xact_tuples_inserted('intake_change'::regclass)");
                written[2] = count(h, "select pg_stat_get_xact_tuples_hot_updated('intake_row'::regclass)");
                return counts;
            });
            other.rollback();
        }

        assertThat(moved.updated()).isEqualTo(lines);
        assertThat(moved.created() + moved.duplicates() + moved.review() + moved.notApplied()).isZero();
        assertThat(written[0]).as("staged lines rewritten: once each, by matching").isEqualTo(lines);
        // matching writes only the line's archive, no indexed column (its round stays null: the first), so each new version
        // stays on its page without new index entries (at 1,000,000 lines: 2.8 s of PostgreSQL CPU less)
        assertThat(written[2]).as("staged lines rewritten as heap-only tuples").isEqualTo(lines);
        assertThat(written[1]).as("applied changes staged by a filing").isZero();
        jdbi.useHandle(h -> {
            assertThat(count(h, "select count(*) from customer where address like '龙华区%'")).isEqualTo(lines);
            assertThat(count(h, """
                    select count(*) from change_log l join ingest i on i.id = l.source_ingest_id
                    where i.source_name = 'moved.csv' and l.field = 'address' and l.old_value like '龙岗区%'
                      and l.new_value like '龙华区%' and l.reason = 'intake of moved.csv'
                      and l.source_line between 1 and 2000""")).isEqualTo(lines);
            assertThat(count(h, "select count(*) from intake_row where ingest_id = (select id from ingest where source_name = 'moved.csv')"))
                    .isZero();
        });
    }

    @Test
    void anArchiveMetThriceIsUpdatedOnceARoundInLineOrderBesideTheLinesMetOnce() {
        jdbi.useTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "thrice-base.csv", 70_001, 5, "盐田区"),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of thrice-base.csv")));
        MergeCounts counts = jdbi.inTransaction(h -> {
            // lines 1-5: each customer once (the first round, unranked); lines 6 and 7: the first customer twice more
            long ingest = MergePlanTest.stage(h, "thrice.csv", 70_001, 5, "坪山区");
            h.createUpdate("insert into intake_row (ingest_id, line_no, name, mobile, address)"
                            + " select ingest_id, 5 + n, name, mobile, '大鹏' || n from intake_row, generate_series(1, 2) n"
                            + " where ingest_id = :ingest and line_no = 1")
                    .bind("ingest", ingest).execute();
            return ArchiveMerge.merge(h, ingest, MergeOptions.of(YearMonth.of(2026, 12), "intake of thrice.csv"));
        });

        assertThat(counts.updated()).isEqualTo(7);
        jdbi.useHandle(h -> {
            assertThat(h.createQuery("select address from customer where mobile like '139000700%' order by mobile")
                    .mapTo(String.class).list()).containsExactly("大鹏2", "坪山区70002", "坪山区70003", "坪山区70004", "坪山区70005");
            assertThat(h.createQuery("""
                            select l.source_line || ': ' || l.old_value || ' → ' || l.new_value from change_log l
                            join ingest i on i.id = l.source_ingest_id and i.source_name = 'thrice.csv'
                            join customer c on c.id = l.customer_id and c.mobile = '13900070001' order by l.id""")
                    .mapTo(String.class).list())
                    .containsExactly("1: 盐田区70001 → 坪山区70001", "6: 坪山区70001 → 大鹏1", "7: 大鹏1 → 大鹏2");
        });
    }

    private static long count(Handle h, String sql) {
        return h.createQuery(sql).mapTo(Long.class).one();
    }

    private static long pages(String table) {
        return jdbi.withHandle(h -> h.createQuery("select pg_relation_size(cast(:t as regclass))").bind("t", table)
                .mapTo(Long.class).one());
    }
}
