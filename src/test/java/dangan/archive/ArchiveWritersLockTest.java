package dangan.archive;

import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.time.YearMonth;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The update round reads each archive once: its decisions and the change register's old values come from the same
 * read as the update (issue 14). That holds only while nothing else writes the archive during a merge, so every
 * writer of {@code customer} outside the merge takes the archive lock first (ArchiveLock). Here the review queue's
 * accept — a person's decision, at any time — meets a merge holding the lock: it waits, and once the merge has
 * committed it applies its change to the archive as the merge left it. Nothing of either is lost.
 */
@Tag("database")
class ArchiveWritersLockTest {

    private static Jdbi jdbi;
    private static ReviewQueue queue;

    @BeforeAll
    static void database() {
        PGSimpleDataSource dataSource = TestDatabase.freshDataSource();
        jdbi = dangan.store.Db.jdbi(dataSource);
        queue = new ReviewQueue(dataSource);
    }

    @Test
    void anAcceptWaitsForTheMergeHoldingTheArchiveLockAndLosesNothing() throws Exception {
        jdbi.useTransaction(h -> ArchiveMerge.merge(h, MergePlanTest.stage(h, "base.csv", 1, 2, "福田区"), options("base.csv")));
        // a line that contradicts 客户1's name (identity, D-13): held for review
        jdbi.useTransaction(h -> {
            long ingest = MergePlanTest.stage(h, "renamed.csv", 1, 1, null);
            h.execute("update intake_row set name = '客户壹' where ingest_id = ?", ingest);
            ArchiveMerge.merge(h, ingest, options("renamed.csv"));
        });
        long held = jdbi.withHandle(h -> h.createQuery("select id from pending_change where field = 'name' and status = 'pending'")
                .mapTo(Long.class).one());

        CompletableFuture<Void> accept;
        try (Handle merge = jdbi.open()) {
            merge.begin();
            ArchiveLock.hold(merge); // as a merge holds it from its start to its commit
            accept = CompletableFuture.runAsync(() -> queue.accept(held, "wang.jl"));
            // one of the two happens: the accept ends (it did not wait), or its session waits for the archive lock
            String waitsFor = waitingOrDone(accept);
            assertThat(accept).as("the accept did not wait for the merge holding the archive lock").isNotDone();
            assertThat(waitsFor).isEqualTo("advisory");

            // the merge, while the accept waits: 客户1 and 客户2 moved
            ArchiveMerge.merge(merge, MergePlanTest.stage(merge, "moved.csv", 1, 2, "罗湖区"), options("moved.csv"));
            merge.commit();
        }
        accept.get(60, TimeUnit.SECONDS);

        String archive = jdbi.withHandle(h -> h.createQuery("select name || ' ' || address from customer where mobile = '13900000001'")
                .mapTo(String.class).one());
        List<String> registered = jdbi.withHandle(h -> h.createQuery("""
                        select l.field || ' ' || l.old_value || ' → ' || l.new_value || ' ' || l.changed_by from change_log l
                        join customer c on c.id = l.customer_id where c.mobile = '13900000001' order by l.id""")
                .mapTo(String.class).list());
        assertThat(archive).isEqualTo("客户壹 罗湖区1");
        assertThat(registered).containsExactly("address 福田区1 → 罗湖区1 intake", "name 客户1 → 客户壹 wang.jl");
    }

    /** What another session of this database waits for once the accept is under way (the lock type), or null when the accept ended first. */
    private static String waitingOrDone(CompletableFuture<Void> accept) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accept.isDone() && System.nanoTime() < until) {
            List<String> waits = jdbi.withHandle(h -> h.createQuery("""
                            select l.locktype from pg_locks l join pg_stat_activity a on a.pid = l.pid
                            where not l.granted and a.datname = current_database() and a.pid <> pg_backend_pid()""")
                    .mapTo(String.class).list());
            if (!waits.isEmpty()) return waits.get(0);
        }
        return null;
    }

    private static MergeOptions options(String file) {
        return MergeOptions.of(YearMonth.of(2026, 12), "intake of " + file);
    }
}
