package dangan.archive;

import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
        Map<String, String> plans = new HashMap<>();
        long[] hotUpdates = new long[1];
        MergeCounts opened = jdbi.inTransaction(h -> {
            MergeCounts counts = ArchiveMerge.merge(h, stageWithVisits(h, "new.csv"),
                    MergeOptions.of(YearMonth.of(2026, 12), "intake of new.csv"), (step, plan) -> {
                        steps.add(step);
                        plans.put(step, plan);
                    });
            // the rows this transaction rewrote without moving them off their page (no new index entry)
            hotUpdates[0] = h.createQuery("select pg_stat_get_xact_tuples_hot_updated('intake_row'::regclass)")
                    .mapTo(Long.class).one();
            return counts;
        });

        assertThat(opened.created()).isEqualTo(LINES);
        assertThat(steps).containsExactly("merge/match", "merge/open-archives", "merge/add-new-visits");
        assertThat(hotUpdates[0]).isEqualTo(LINES);
        assertThat(count("select count(*) from consumption")).isEqualTo(LINES);
        // opening sorts the lines once, in line order (the archive numbers), not once by each key to find the customers
        // several lines share (those are grouped); the lines that opened an archive file their visits without looking
        // for an earlier one (their archives have none)
        assertThat(sortKeys(plans.get("merge/open-archives"))).isNotEmpty().allMatch(key -> key.endsWith("line_no"));
        assertThat(plans.get("merge/add-new-visits")).doesNotContain("Conflict Resolution");

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

    @Test
    void newCustomersWithIdNumbersFileTheirKeysWithoutLookingTheirArchivesUp() {
        // the archive's reads (sequential scans of customer, look-ups in its primary key) as each step begins
        List<long[]> reads = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        String archiveReads = "select pg_stat_get_xact_numscans('customer'::regclass), pg_stat_get_xact_numscans('customer_pkey'::regclass)";
        long[] after = jdbi.inTransaction(h -> {
            long ingest = stageWithVisits(h, "ids.csv", "137"); // customers of their own
            h.createUpdate("update intake_row set id_hash = sha256(convert_to('id' || line_no, 'UTF8')),"
                    + " id_enc = '\\x02'::bytea || sha256(convert_to('sealed' || line_no, 'UTF8')), id_masked = '110105********002X',"
                    + " key_id = gen_random_uuid(), key_wrapped = sha256(convert_to('key' || line_no, 'UTF8')) where ingest_id = :ingest")
                    .bind("ingest", ingest).execute();
            ArchiveMerge.merge(h, ingest, MergeOptions.of(YearMonth.of(2026, 12), "intake of ids.csv"), (step, plan) -> {
                steps.add(step);
                reads.add(h.createQuery(archiveReads).map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2)}).one());
            });
            return h.createQuery(archiveReads).map((rs, ctx) -> new long[]{rs.getLong(1), rs.getLong(2)}).one();
        });

        assertThat(steps).endsWith("merge/file-keys");
        long[] before = reads.get(steps.size() - 1);
        // a line that opened its archive with an ID number put the number there: its key is filed without reading the
        // archive again (the key's foreign key checks its customer, once a line); before, the step read all of customer
        assertThat(after[0] - before[0]).as("sequential scans of customer while filing keys").isZero();
        assertThat(after[1] - before[1]).as("look-ups in customer's primary key while filing keys").isEqualTo(LINES);
        assertThat(count("select count(*) from customer_key k join customer c on c.id = k.customer_id"
                + " where c.source_ingest_id = (select id from ingest where source_name = 'ids.csv')")).isEqualTo(LINES);
    }

    /**
     * A customer on several lines of a file of new customers opens one archive, at its first line (D-14: numbered in line
     * order among the lines that opened one); its visits are filed once each — the same visit on two lines is one fact,
     * the line that opened the archive filing its own before the others'. An archive opened by a customer of several lines
     * gets no tier at opening (the tiers listener's), one of a single line does.
     */
    @Test
    void aCustomerOnSeveralLinesOfNewCustomersOpensOneArchiveWithEachVisitOnce() {
        List<String> archives = new ArrayList<>();
        MergeCounts counts = jdbi.withHandle(h -> {
            h.begin();
            try { // rolled back: the other tests count every archive and visit
                long ingest = h.createQuery("insert into ingest (source_type, channel, source_name, status)"
                        + " values ('file', 'registrations', 'several.csv', 'running') returning id").mapTo(Long.class).one();
                // lines 1, 3 and 4: one customer (mobile …001, then by its email), the same visit on lines 1 and 3; 2 and 5 alone
                h.createUpdate("""
                        insert into intake_row (ingest_id, line_no, name, mobile, email, visit_date, amount, service) values
                          (:ingest, 1, '周一', '13800000001', null, date '2026-11-02', 300, '足疗'),
                          (:ingest, 2, '吴二', '13800000002', null, date '2026-11-02', 200, '足疗'),
                          (:ingest, 3, '周一', '13800000001', 'zhou@example.cn', date '2026-11-02', 300, '足疗'),
                          (:ingest, 4, '周一', null, 'zhou@example.cn', date '2026-11-09', 150, '推拿'),
                          (:ingest, 5, '郑三', '13800000005', null, null, null, null)""").bind("ingest", ingest).execute();
                MergeCounts merged = ArchiveMerge.merge(h, ingest, MergeOptions.of(YearMonth.of(2026, 10), "intake of several.csv")
                        .tiers(new TierAtOpening("{12,1200,8,800,4,400,2,200}", "E", 1, LocalDate.of(2025, 12, 1),
                                LocalDate.of(2026, 12, 1), List.of(List.of(), List.of(), List.of()), List.of())));
                archives.addAll(h.createQuery("""
                        select c.mobile || ' ' || c.archive_no || ' ' || coalesce(c.tier, '-') || ' '
                               || coalesce((select string_agg(v.visit_date || '/' || v.amount, ',' order by v.visit_date)
                                            from consumption v where v.customer_id = c.id), 'none')
                        from customer c where c.source_ingest_id = :ingest order by c.archive_no""")
                        .bind("ingest", ingest).mapTo(String.class).list());
                return merged;
            } finally {
                h.rollback();
            }
        });

        assertThat(counts.created()).isEqualTo(3);
        assertThat(archives).containsExactly("13800000001 202610001 - 2026-11-02/300.00,2026-11-09/150.00",
                "13800000002 202610002 D 2026-11-02/200.00", "13800000005 202610003 E none");
    }

    /** The sort keys of a step's plan, as {@code explain (format json)} prints them. */
    private static List<String> sortKeys(String plan) {
        List<String> keys = new ArrayList<>();
        try {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(plan).findValues("Sort Key")
                    .forEach(node -> node.forEach(key -> keys.add(key.asText())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return keys;
    }

    /** Customers 1..LINES, one a line, by mobile, with a visit each, staged as the staging writer leaves them. */
    private static long stageWithVisits(Handle h, String name) {
        return stageWithVisits(h, name, "139");
    }

    /** As {@link #stageWithVisits(Handle, String)}, the mobiles after {@code prefix}. */
    private static long stageWithVisits(Handle h, String name, String prefix) {
        long ingest = h.createQuery("insert into ingest (source_type, channel, source_name, status)"
                        + " values ('file', 'registrations', :name, 'running') returning id")
                .bind("name", name).mapTo(Long.class).one();
        h.createUpdate("insert into intake_row (ingest_id, line_no, name, gender, mobile, address, visit_date, amount, service, branch)"
                        + " select :ingest, i, '客户' || i, 'F', :prefix || lpad(i::text, 8, '0'), '深圳市福田区' || i || '号',"
                        + " date '2026-11-01' + i % 28, 100 + i % 900, '精油按摩', '福田店'"
                        + " from generate_series(1, :lines) i")
                .bind("ingest", ingest).bind("lines", LINES).bind("prefix", prefix).execute();
        return ingest;
    }

    private static long count(String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
