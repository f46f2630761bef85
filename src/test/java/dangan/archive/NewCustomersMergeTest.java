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
        boolean[] noArchive = new boolean[1];
        MergeCounts opened = jdbi.inTransaction(h -> {
            noArchive[0] = h.createQuery("select not exists (select from customer)").mapTo(Boolean.class).one();
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
        // the other test that files its lines may have run first; into an empty archive nothing is matched (see below)
        assertThat(steps).containsExactlyElementsOf(noArchive[0] ? List.of("merge/open-archives", "merge/add-new-visits")
                : List.of("merge/match", "merge/open-archives", "merge/add-new-visits"));
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

    /**
     * Into an archive without a customer (a business's first import) the lines are not looked up before opening — there
     * is nothing to find — but a customer on two lines still opens one archive: the later line matches the earlier one's
     * after the opening. The lines that opened their archive file their facts without looking for them first (their
     * archives have none); the later line files only what its archive does not have yet, and so does the same file
     * dropped again (nothing) and a later file (only the new preference of a known customer).
     */
    @Test
    void intoAnEmptyArchiveNothingIsMatchedFirstAndEachFactIsFiledOnce() {
        Jdbi empty = TestDatabase.freshJdbi();
        String lines = """
                insert into intake_row (ingest_id, line_no, name, mobile, email, visit_date, amount, service, pref_room, pref_dining,
                                        allergy_enc, allergy_hash, anniversary, companions, referrer) values
                  (:ingest, 1, '周一', '13800000001', null, date '2026-11-02', 300, '足疗', '靠窗', null,
                   '\\x01aa'::bytea, '\\xaa'::bytea, date '2010-05-20', '周太太', null),
                  (:ingest, 2, '吴二', '13800000002', 'wu@example.cn', date '2026-11-03', 200, '足疗', null, '素食',
                   null, null, null, null, '周一'),
                  (:ingest, 3, '周一', '13800000001', null, date '2026-11-09', 150, '推拿', '靠窗', '辣',
                   '\\x01aa'::bytea, '\\xaa'::bytea, date '2010-05-20', '周太太', '吴二')""";
        String facts = """
                select c.mobile || ' ' || f.fact || ' ' || f.line from customer c
                join (select customer_id, 'visit ' || visit_date as fact, source_line as line from consumption
                      union all select customer_id, 'preference ' || category || ' ' || detail, source_line from preference
                      union all select customer_id, 'health ' || kind, source_line from health_fact
                      union all select customer_id, 'date ' || occurs_on, source_line from special_date
                      union all select customer_id, relation || ' ' || name, source_line from companion) f on f.customer_id = c.id
                order by 1""";
        List<String> steps = new ArrayList<>();
        Map<String, String> plans = new HashMap<>();
        MergeCounts first = empty.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "first.csv", lines),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of first.csv"), (step, plan) -> {
                    steps.add(step);
                    plans.put(step, plan);
                }));

        assertThat(first.created()).isEqualTo(2);
        assertThat(first.created() + first.updated() + first.duplicates()).isEqualTo(3);
        // opened first; then line 3 matches the archive line 1 opened (its mobile), and files what line 1 had not
        assertThat(steps).startsWith("merge/open-archives", "merge/match");
        assertThat(steps).containsSubsequence("merge/add-new-visits", "merge/add-visits", "merge/add-new-preferences",
                "merge/add-preferences", "merge/add-new-health", "merge/add-health", "merge/add-new-special-dates",
                "merge/add-special-dates", "merge/add-new-companions", "merge/add-companions");
        for (String kind : List.of("visits", "preferences", "health", "special-dates", "companions")) {
            assertThat(plans.get("merge/add-new-" + kind)).as(kind + " of the opened lines").doesNotContain("Conflict Resolution");
            assertThat(plans.get("merge/add-" + kind)).as(kind + " of the other lines").contains("Conflict Resolution");
        }
        List<String> filed = List.of("13800000001 date 2010-05-20 1", "13800000001 health allergy 1",
                "13800000001 preference dining 辣 3", "13800000001 preference room 靠窗 1", "13800000001 referred_by 吴二 3",
                "13800000001 visit 2026-11-02 1", "13800000001 visit 2026-11-09 3", "13800000001 companion 周太太 1",
                "13800000002 preference dining 素食 2", "13800000002 referred_by 周一 2", "13800000002 visit 2026-11-03 2");
        assertThat(strings(empty, facts)).containsExactlyInAnyOrderElementsOf(filed);

        steps.clear();
        MergeCounts again = empty.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "again.csv", lines),
                MergeOptions.of(YearMonth.of(2026, 12), "intake of again.csv"), (step, plan) -> steps.add(step)));
        assertThat(again.duplicates()).isEqualTo(3);
        assertThat(steps).startsWith("merge/match").doesNotContain("merge/open-archives", "merge/add-new-preferences");
        assertThat(strings(empty, facts)).containsExactlyInAnyOrderElementsOf(filed);

        MergeCounts later = empty.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "later.csv", """
                insert into intake_row (ingest_id, line_no, name, mobile, pref_room, pref_dining) values
                  (:ingest, 1, '吴二', '13800000002', '高层', '素食')"""), MergeOptions.of(YearMonth.of(2026, 12), "intake of later.csv")));
        assertThat(later.updated()).isEqualTo(1);
        assertThat(strings(empty, """
                select p.category || ' ' || p.detail from preference p join customer c on c.id = p.customer_id
                where c.mobile = '13800000002' order by 1""")).containsExactly("dining 素食", "room 高层");
    }

    /**
     * Whether the archive is empty (no first pass of matching) is asked once the merge holds the archive lock, not when
     * the file was staged: a file staged while the archive was empty, whose customer another file filed and committed
     * before this one's merge began, finds that archive — though its own lines are all alone (open-alone.sql is not
     * taken: a line matched) — instead of opening a second archive with the same mobile.
     */
    @Test
    void aFileStagedIntoAnEmptyArchiveFindsTheArchiveAnotherFiledBeforeItsMerge() {
        Jdbi empty = TestDatabase.freshJdbi();
        List<String> steps = new ArrayList<>();
        MergeCounts counts;
        try (Handle later = empty.open()) {
            later.begin();
            long ingest = stage(later, "later.csv", """
                    insert into intake_row (ingest_id, line_no, name, mobile, visit_date, amount) values
                      (:ingest, 2, '周一', '13800000001', date '2026-11-09', 150),
                      (:ingest, 3, '吴二', '13800000002', date '2026-11-09', 200)""");
            // meanwhile another file of the same customer is filed (and committed) first
            assertThat(empty.inTransaction(h -> ArchiveMerge.merge(h, stage(h, "earlier.csv", """
                    insert into intake_row (ingest_id, line_no, name, mobile) values (:ingest, 2, '周一', '13800000001')"""),
                    MergeOptions.of(YearMonth.of(2026, 12), "intake of earlier.csv"))).created()).isEqualTo(1);
            counts = ArchiveMerge.merge(later, ingest, MergeOptions.of(YearMonth.of(2026, 12), "intake of later.csv")
                    .linesAlone(new LinesAlone(new int[0])), (step, plan) -> steps.add(step));
            later.commit();
        }

        assertThat(counts.created()).isEqualTo(1);
        assertThat(counts.updated() + counts.duplicates()).isEqualTo(1);
        assertThat(steps).startsWith("merge/match").contains("merge/open-archives").doesNotContain("merge/open-alone");
        assertThat(strings(empty, """
                select c.archive_no || ' ' || c.mobile || ' ' || (select count(*) from consumption v where v.customer_id = c.id)
                from customer c order by c.archive_no""")).containsExactly("202612001 13800000001 1", "202612002 13800000002 1");
    }

    private static List<String> strings(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(String.class).list());
    }

    /** An ingest of {@code lines} (an insert into intake_row with {@code :ingest}). */
    private static long stage(Handle h, String name, String lines) {
        long ingest = ingest(h, name);
        h.createUpdate(lines).bind("ingest", ingest).execute();
        return ingest;
    }

    /**
     * The shapes of keys the one-pass opening groups (D-15, D-14): a line whose key is shared with a line that matches a
     * known archive follows it there; a chain (a mobile shared with one line, an email with another) is one customer,
     * opened at its first line; staged lines without any key (the intake rejects such lines: intake.reject.no-identifier) never group; one customer on a line without and a line with an ID
     * number opens one archive that takes the number (it had none: applied and registered with its line, D-27). The
     * archives are numbered in line order. A check of the file shows each line's outcome and changes; from a low-trust source
     * every archive it opens and every change waits (D-16). The same file dropped again opens, changes and registers nothing.
     */
    @Test
    void sharedKeysChainsAndNullKeysOpenOneArchivePerCustomerInLineOrder() {
        jdbi.useHandle(h -> {
            h.begin();
            try { // rolled back: the other tests count every archive and visit
                long known = ingest(h, "known.csv");
                h.createUpdate("insert into intake_row (ingest_id, line_no, name, email) values (:ingest, 1, '冯默风', 'feng@example.cn')")
                        .bind("ingest", known).execute();
                assertThat(ArchiveMerge.merge(h, known, MergeOptions.of(YearMonth.of(2026, 9), "intake of known.csv")).created())
                        .isEqualTo(1);
                String lines = """
                        insert into intake_row (ingest_id, line_no, name, mobile, email, id_hash, id_enc, id_masked, visit_date, amount) values
                          (:ingest, 1, '冯默风', '13700000001', 'feng@example.cn', null, null, null, date '2026-11-01', 1),
                          (:ingest, 2, '冯默风', '13700000001', null, null, null, null, date '2026-11-02', 2),
                          (:ingest, 3, '无名', null, null, null, null, null, date '2026-11-03', 3),
                          (:ingest, 4, '无名', null, null, null, null, null, date '2026-11-04', 4),
                          (:ingest, 5, '陈玄风', '13700000005', null, null, null, null, date '2026-11-05', 5),
                          (:ingest, 6, '陈玄风', '13700000005', null, sha256('id6'::bytea), '\\x02'::bytea, '110105********0006',
                           date '2026-11-06', 6),
                          (:ingest, 7, '梅超风', '13700000007', null, null, null, null, date '2026-11-07', 7),
                          (:ingest, 8, '梅超风', '13700000007', 'mei@example.cn', null, null, null, date '2026-11-08', 8),
                          (:ingest, 9, '梅超风', null, 'mei@example.cn', null, null, null, date '2026-11-09', 9),
                          (:ingest, 10, '曲灵风', '13700000010', null, sha256('id10'::bytea), '\\x02'::bytea, '110105********0010',
                           date '2026-11-10', 10)""";
                // a check of the file first (D-16 aside): each line's outcome and the changes it would make, then rolled back
                h.savepoint("check");
                long check = ingest(h, "keys-check.csv");
                h.createUpdate(lines).bind("ingest", check).execute();
                ArchiveMerge.merge(h, check, MergeOptions.of(YearMonth.of(2026, 10), "check of keys.csv").keepStaging(true));
                assertThat(h.createQuery("""
                        select s.line_no || ' ' || s.outcome || coalesce(' ' || (select string_agg(x.field || ' ' || x.disposition, ', ')
                                                                              from intake_change x
                                                                              where x.ingest_id = s.ingest_id and x.line_no = s.line_no), '')
                        from intake_row s where s.ingest_id = :ingest order by s.line_no""").bind("ingest", check).mapTo(String.class).list())
                        .containsExactly("1 updated mobile apply", "2 updated", "3 new", "4 new", "5 new", "6 updated id_number apply",
                                "7 new", "8 updated email apply", "9 updated", "10 new");
                h.rollbackToSavepoint("check");
                // from a low-trust source: the archives it opens wait as a whole, every change to a known one waits
                h.savepoint("low-trust");
                long walkIns = ingest(h, "keys-low-trust.csv");
                h.createUpdate(lines).bind("ingest", walkIns).execute();
                MergeCounts held = ArchiveMerge.merge(h, walkIns, MergeOptions.of(YearMonth.of(2026, 10), "intake of keys-low-trust.csv")
                        .lowTrust(true));
                assertThat(held.created()).isZero();
                assertThat(h.createQuery("""
                        select archive_no || ' ' || review_status from customer where source_ingest_id = :ingest order by 1""")
                        .bind("ingest", walkIns).mapTo(String.class).list()).containsExactly("202610001 pending", "202610002 pending",
                        "202610003 pending", "202610004 pending", "202610005 pending");
                assertThat(h.createQuery("""
                        select p.source_line || ' ' || p.field || ' ' || p.proposed_value from pending_change p
                        where p.source_ingest_id = :ingest order by p.source_line""").bind("ingest", walkIns).mapTo(String.class).list())
                        // each line proposes its own (the archive as the held change left it: without the value)
                        .containsExactly("1 mobile 13700000001", "2 mobile 13700000001", "6 id_number 110105********0006",
                                "8 email mei@example.cn", "9 email mei@example.cn");
                assertThat(h.createQuery("select count(*) from change_log where source_ingest_id = :ingest").bind("ingest", walkIns)
                        .mapTo(Long.class).one()).isZero();
                h.rollbackToSavepoint("low-trust");

                long ingest = ingest(h, "keys.csv");
                h.createUpdate(lines).bind("ingest", ingest).execute();
                MergeCounts counts = ArchiveMerge.merge(h, ingest, MergeOptions.of(YearMonth.of(2026, 10), "intake of keys.csv"));

                assertThat(counts.created()).isEqualTo(5);
                // each line's visit, by the archive it was filed on
                String byLine = """
                        select v.source_line || ' ' || c.archive_no from consumption v join customer c on c.id = v.customer_id
                        where v.source_ingest_id = :ingest order by v.source_line""";
                assertThat(h.createQuery(byLine).bind("ingest", ingest).mapTo(String.class).list()).containsExactly(
                        "1 202609001", "2 202609001", "3 202610001", "4 202610002", "5 202610003", "6 202610003",
                        "7 202610004", "8 202610004", "9 202610004", "10 202610005");
                assertThat(h.createQuery("""
                        select c.archive_no || ' ' || c.source_line || ' ' || coalesce(c.mobile, '-') || ' ' || coalesce(c.email, '-')
                               || ' ' || coalesce(c.id_number_masked, '-')
                        from customer c where c.source_ingest_id = :ingest order by c.archive_no""")
                        .bind("ingest", ingest).mapTo(String.class).list()).containsExactly(
                        "202610001 3 - - -", "202610002 4 - - -", "202610003 5 13700000005 - 110105********0006",
                        "202610004 7 13700000007 mei@example.cn -", "202610005 10 13700000010 - 110105********0010");
                assertThat(h.createQuery("""
                        select l.source_line || ' ' || c.archive_no || ' ' || l.field || ' ' || coalesce(l.new_value, '-')
                        from change_log l join customer c on c.id = l.customer_id where l.source_ingest_id = :ingest order by 1""")
                        .bind("ingest", ingest).mapTo(String.class).list()).containsExactly(
                        "1 202609001 mobile 13700000001", "6 202610003 id_number 110105********0006",
                        "8 202610004 email mei@example.cn");

                long again = ingest(h, "keys-again.csv");
                h.createUpdate(lines).bind("ingest", again).execute();
                // the lines without a key are left out: nothing recognises them (the intake would not have staged them)
                h.createUpdate("delete from intake_row where ingest_id = :ingest and line_no in (3, 4)").bind("ingest", again).execute();
                MergeCounts twice = ArchiveMerge.merge(h, again, MergeOptions.of(YearMonth.of(2026, 10), "intake of keys-again.csv"));
                assertThat(twice.created() + twice.updated() + twice.review()).isZero();
                assertThat(twice.duplicates()).isEqualTo(8);
                assertThat(h.createQuery("select count(*) from customer where source_ingest_id = :ingest").bind("ingest", again)
                        .mapTo(Long.class).one()).isZero();
                assertThat(h.createQuery("select count(*) from change_log where source_ingest_id = :ingest").bind("ingest", again)
                        .mapTo(Long.class).one()).isZero();
                assertThat(h.createQuery("select count(*) from consumption where source_ingest_id = :ingest").bind("ingest", again)
                        .mapTo(Long.class).one()).isZero();
            } finally {
                h.rollback();
            }
        });
    }

    /**
     * Lines that are all alone — none matches a known archive, the staging saw no two share a key — open their archives by open-alone.sql, without grouping the keys or sorting the lines, and get the same
     * archives open-archives.sql gives them: numbered in line order from the file's first staged line, with their keys,
     * flags, tiers, contact confirmation and visits — also after a line the staging skipped (rejected), when it says so.
     * With a gap it did not report, or a line that matches a known archive, the merge takes open-archives.sql.
     */
    @Test
    void linesAloneOpenTheSameArchivesWithoutGroupingTheirKeysOrSortingThem() {
        TierAtOpening tiers = new TierAtOpening("{12,1200,8,800,4,400,2,200}", "E", 1, LocalDate.of(2025, 12, 1),
                LocalDate.of(2026, 12, 1), List.of(List.of("关键决策人"), List.of(), List.of()), List.of("是"));
        String lines = """
                insert into intake_row (ingest_id, line_no, name, gender, mobile, email, id_hash, id_enc, id_masked, extra,
                                        visit_date, amount, service)
                select :ingest, i + 4, '客户' || i, case when i % 2 = 0 then 'F' else 'M' end, '13600' || lpad(i::text, 6, '0'),
                       case when i % 3 = 0 then 'guest' || i || '@example.cn' end,
                       case when i % 10 = 0 then sha256(convert_to('alone-id' || i, 'UTF8')) end,
                       case when i % 10 = 0 then '\\x02'::bytea end, case when i % 10 = 0 then '110105********' || lpad(i::text, 4, '0') end,
                       case when i % 50 = 0 then '{"关键决策人": "是"}'::jsonb end,
                       case when i % 7 > 0 then date '2026-11-01' - i % 500 end, 100 + i % 2000, '足疗'
                from generate_series(1, 300) i""";
        String archives = """
                select c.archive_no || ' ' || c.source_line || ' ' || c.name || ' ' || coalesce(c.mobile, '-') || ' ' || coalesce(c.email, '-')
                       || ' ' || coalesce(encode(c.id_number_hash, 'hex'), '-') || ' ' || coalesce(c.id_number_masked, '-')
                       || ' ' || coalesce(c.tier, '-') || ' ' || c.key_decision_maker || ' ' || (c.contact_confirmed_at is not null)
                       || ' ' || c.extra::text || ' ' || s.outcome || ' ' || (s.customer_id = c.id)
                       || ' ' || coalesce((select string_agg(v.visit_date || '/' || v.amount, ',') from consumption v where v.customer_id = c.id), '-')
                from customer c join intake_row s on s.ingest_id = c.source_ingest_id and s.line_no = c.source_line
                where c.source_ingest_id = :ingest order by c.archive_no""";
        jdbi.useHandle(h -> {
            h.begin();
            try { // rolled back: the other tests count every archive and visit
                Map<String, List<String>> opened = new HashMap<>();
                Map<String, List<String>> steps = new HashMap<>();
                Map<String, String> plans = new HashMap<>();
                for (boolean distinct : List.of(true, false)) {
                    h.savepoint("alone");
                    long ingest = ingest(h, "alone.csv");
                    h.createUpdate(lines).bind("ingest", ingest).execute();
                    List<String> ran = new ArrayList<>();
                    MergeCounts counts = ArchiveMerge.merge(h, ingest, MergeOptions.of(YearMonth.of(2026, 11), "intake of alone.csv")
                            .tiers(tiers).keepStaging(true).linesAlone(distinct ? new LinesAlone(new int[0]) : null), (step, plan) -> {
                                ran.add(step);
                                plans.put(step, plan);
                            });
                    assertThat(counts.created()).isEqualTo(300);
                    opened.put(String.valueOf(distinct), h.createQuery(archives).bind("ingest", ingest).mapTo(String.class).list());
                    steps.put(String.valueOf(distinct), ran);
                    h.rollbackToSavepoint("alone");
                }
                assertThat(steps.get("true")).contains("merge/open-alone").doesNotContain("merge/open-archives");
                assertThat(steps.get("false")).contains("merge/open-archives").doesNotContain("merge/open-alone");
                assertThat(sortKeys(plans.get("merge/open-alone"))).isEmpty();
                assertThat(plans.get("merge/open-alone")).doesNotContain("Aggregate");
                assertThat(opened.get("true")).hasSize(300).isEqualTo(opened.get("false"));
                assertThat(opened.get("true").get(0)).startsWith("202611001 5 客户1 13600000001 - - - ");
                assertThat(opened.get("true").get(299)).startsWith("202611300 304 客户300 13600000300 guest300@example.cn ");
                assertThat(opened.get("true")).filteredOn(a -> a.contains(" A true true ")).hasSize(6); // the six decision makers
                assertThat(opened.get("true")).allMatch(a -> a.contains(" new true "));

                // a rejected line (100) the staging skipped: open-alone.sql numbers the lines after it as open-archives.sql does;
                // a gap the staging did not report, or a line that matches a known archive: open-archives.sql
                Map<String, List<String>> gapped = new HashMap<>();
                for (String variant : List.of("gap told", "gap in general", "gap untold", "known")) {
                    h.savepoint("general");
                    long ingest = ingest(h, variant + ".csv");
                    h.createUpdate(lines).bind("ingest", ingest).execute();
                    if (variant.startsWith("gap")) {
                        h.createUpdate("delete from intake_row where ingest_id = :ingest and line_no = 100").bind("ingest", ingest).execute();
                    } else {
                        h.execute("insert into customer (archive_no, name, mobile) values ('202601001', '客户7', '13600000007')");
                    }
                    LinesAlone told = switch (variant) {
                        case "gap told" -> new LinesAlone(new int[]{100});
                        case "gap in general" -> null;
                        default -> new LinesAlone(new int[0]);
                    };
                    List<String> ran = new ArrayList<>();
                    MergeCounts counts = ArchiveMerge.merge(h, ingest, MergeOptions.of(YearMonth.of(2026, 11), "intake of " + variant)
                            .tiers(tiers).keepStaging(true).linesAlone(told), (step, plan) -> ran.add(step));
                    assertThat(counts.created()).as(variant).isEqualTo(299);
                    if (variant.equals("gap told")) {
                        assertThat(ran).as(variant).contains("merge/open-alone").doesNotContain("merge/open-archives");
                    } else {
                        assertThat(ran).as(variant).contains("merge/open-archives").doesNotContain("merge/open-alone");
                    }
                    assertThat(h.createQuery("select max(archive_no) from customer where source_ingest_id = :ingest").bind("ingest", ingest)
                            .mapTo(String.class).one()).as(variant).isEqualTo("202611299");
                    if (variant.startsWith("gap")) {
                        gapped.put(variant, h.createQuery(archives).bind("ingest", ingest).mapTo(String.class).list());
                    }
                    h.rollbackToSavepoint("general");
                }
                assertThat(gapped.get("gap told")).hasSize(299).isEqualTo(gapped.get("gap in general")).isEqualTo(gapped.get("gap untold"))
                        .contains(opened.get("true").get(94)) // line 99, before the gap: as without it
                        .anyMatch(a -> a.startsWith("202611096 101 客户97 ")); // line 101, after it: the next number
            } finally {
                h.rollback();
            }
        });
    }

    private static long ingest(Handle h, String name) {
        return h.createQuery("insert into ingest (source_type, channel, source_name, status)"
                + " values ('file', 'registrations', :name, 'running') returning id").bind("name", name).mapTo(Long.class).one();
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
