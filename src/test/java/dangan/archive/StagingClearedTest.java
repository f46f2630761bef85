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

    private static long pages(String table) {
        return jdbi.withHandle(h -> h.createQuery("select pg_relation_size(cast(:t as regclass))").bind("t", table)
                .mapTo(Long.class).one());
    }
}
