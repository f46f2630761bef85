package dangan.audit;

import dangan.store.Db;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads under load (issue 14): entries recorded at the same moment by many threads are committed
 * together — one commit for the lot, not one each — and each caller returns only once its entry is
 * committed, the chain intact and the ids without gaps.
 */
@Tag("database")
class AuditGroupCommitTest {

    private static final int READERS = 32;

    @Test
    void entriesArrivingTogetherShareOneCommitAndTheChainHolds() throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(TestDatabase.freshDatabase());
        dataSource.setUser("postgres");
        Jdbi jdbi = Db.jdbi(dataSource);
        AuditTrail trail = new AuditTrail(dataSource, AuditKey.of(new byte[32]));
        long before = jdbi.withHandle(h -> h.createQuery("select count(*) from audit_log").mapTo(Long.class).one());

        Set<Thread> readers = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(READERS, r -> {
            Thread t = new Thread(r);
            readers.add(t);
            return t;
        });
        List<Future<Long>> recorded = new ArrayList<>();
        try (Handle holder = jdbi.open()) {
            // another writer of the chain holds its head: the first reader's commit waits, the others arrive meanwhile
            holder.begin();
            holder.createQuery("select last_id from audit_head for update").mapTo(Long.class).one();
            for (int i = 0; i < READERS; i++) {
                String archiveNo = String.format("202612%03d", i);
                recorded.add(pool.submit(() -> trail.record(new AuditEntry("reader." + archiveNo, "service", "read", archiveNo,
                        List.of("basic", "health"), "bench", null, AuditEntry.OK, AuditText.asIs("GET /api/archives/" + archiveNo)))));
            }
            awaitQueued(readers, READERS - 1);
            assertThat(recorded).noneMatch(Future::isDone); // nobody answered before the commit
            holder.commit();
        }
        List<Long> ids = new ArrayList<>();
        for (Future<Long> f : recorded) ids.add(f.get());
        pool.shutdown();

        assertThat(ids).doesNotHaveDuplicates().hasSize(READERS);
        assertThat(ids.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(before + READERS);
        long transactions = jdbi.withHandle(h -> h.createQuery(
                "select count(distinct xmin::text) from audit_log where action = 'read' and actor like 'reader.%'")
                .mapTo(Long.class).one());
        assertThat(transactions).isEqualTo(2); // the first reader's entry alone, then the 31 that waited for it
        AuditVerification.Result chain = trail.verify();
        assertThat(chain.intact()).as("broken at %s: %s", chain.brokenAt(), chain.broken()).isTrue();
        assertThat(chain.entries()).isEqualTo(before + READERS);
    }

    /** Until {@code count} of the threads wait in the JVM (for the commit under way), or a minute has passed. */
    private static void awaitQueued(Set<Thread> threads, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline
                && threads.stream().filter(t -> t.getState() == Thread.State.WAITING).count() < count) {
            Thread.sleep(5);
        }
    }
}
