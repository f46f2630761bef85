package dangan.intake;

import dangan.support.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A big file stages its lines in a temporary table of its own transaction, as the floor does (issue 14: a
 * million-line file's staged lines no longer pass through the shared buffers); a small one keeps the shared
 * staging table. Both are filed whole, and the temporary table is gone with the commit.
 */
@Tag("database")
class OwnStagingTest {

    private static final int LINES = 500;

    /**
     * Where the merge found the staged lines: whether it read the shared table in this transaction, whether a temporary one
     * was there, and whether that one has a primary key (the COPY of a big file does not maintain one).
     */
    private record Seen(boolean sharedRead, boolean ownTable, boolean ownKeyed) {
    }

    @Test
    void aBigFileStagesInATableOfItsOwnAndASmallOneInTheSharedTable() throws Exception {
        PGSimpleDataSource dataSource = TestDatabase.freshDataSource();
        ArchiveIntake intake = TestIntake.on(dataSource);
        List<Seen> seen = new ArrayList<>();
        intake.onMerged(MergeListener.Phase.AUDIT, (h, run) -> seen.add(h.createQuery(
                        "select coalesce((select seq_scan + coalesce(idx_scan, 0) from pg_stat_xact_user_tables where relid = 'public.intake_row'::regclass), 0) > 0 as shared,"
                                + " to_regclass('pg_temp.intake_row') is not null as own,"
                                + " exists (select from pg_index where indrelid = to_regclass('pg_temp.intake_row') and indisprimary) as keyed")
                .map((rs, ctx) -> new Seen(rs.getBoolean("shared"), rs.getBoolean("own"), rs.getBoolean("keyed"))).one()));

        IngestRun big = intake.open("file", "registrations", "big.csv", "big", ArchiveIntake.OWN_STAGING_BYTES);
        intake.file(big, customers(0));
        IngestRun small = intake.open("file", "registrations", "small.csv", "small", ArchiveIntake.OWN_STAGING_BYTES - 1);
        intake.file(small, customers(LINES));

        assertThat(seen).containsExactly(new Seen(false, true, false), new Seen(true, false, false));
        assertThat(List.of(big.created(), small.created())).containsExactly(LINES, LINES);
        long customers = dangan.store.Db.jdbi(dataSource).withHandle(h -> h.createQuery(
                "select count(*) from customer where source_ingest_id in (" + big.id() + ", " + small.id() + ")").mapTo(Long.class).one());
        assertThat(customers).isEqualTo(2L * LINES);
    }

    /** LINES new customers with a visit each, from customer {@code from} on. */
    private static RowSource customers(int from) {
        return handler -> {
            handler.header(List.of("姓名", "手机号码", "消费日期", "消费金额"));
            for (int i = from; i < from + LINES; i++) {
                handler.row(i - from + 2, List.of("客户" + i, String.valueOf(13_700_000_000L + i), "2026-11-01", "100"));
            }
            return "csv";
        };
    }
}
