package dangan.backup;

import dangan.support.ServiceProcess;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A lock the trial holds in the way of a backup or restore process, to stop it at a chosen moment
 * without a pause hook in the code: the process runs until its session waits for the lock
 * ({@code pg_stat_activity}: its {@code application_name} is {@code dangan-<pid>-…}, waiting on a lock,
 * in the statement named), then the trial kills it. Closing releases the lock; the killed process's
 * session then finds its client gone and ends, rolling back what it had begun.
 */
final class LockInTheWay implements AutoCloseable {

    private final Jdbi jdbi;
    private final Handle holder;

    /** Opens a session on {@code url} and runs {@code lockSql} in its open transaction. */
    LockInTheWay(String url, String lockSql) {
        this.jdbi = Jdbi.create(url);
        this.holder = jdbi.open();
        holder.begin();
        holder.execute(lockSql);
    }

    /** Waits until {@code process}'s session waits for a lock in a statement like {@code statementLike}. */
    void awaitBlocked(ServiceProcess process, String statementLike) {
        await(process.pid() + " blocked in " + statementLike).atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) throw new AssertionError("the process ended before the lock:\n" + process.tail());
                    return sessions(process, true, statementLike) > 0;
                });
    }

    /** Waits until {@code sessions} sessions of this JVM's service {@code instance} wait for a lock in a statement like {@code statementLike}. */
    void awaitBlocked(String instance, int sessions, String statementLike) {
        await(sessions + " sessions of " + instance + " blocked in " + statementLike).atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> jdbi.withHandle(h -> h.createQuery("select count(*) from pg_stat_activity where application_name = :app"
                                + " and query ilike :statement and wait_event_type = 'Lock'")
                        .bind("app", instance).bind("statement", statementLike).mapTo(Long.class).one()) >= sessions);
    }

    /** Releases the lock, then waits until the killed process's sessions have ended (their work rolled back). */
    void releaseAndAwaitGone(ServiceProcess killed) {
        close();
        await("the sessions of " + killed.pid() + " gone").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> sessions(killed, false, "%") == 0);
    }

    private long sessions(ServiceProcess process, boolean waitingForALock, String statementLike) {
        return jdbi.withHandle(h -> h.createQuery("select count(*) from pg_stat_activity where application_name like :app"
                        + " and query ilike :statement" + (waitingForALock ? " and wait_event_type = 'Lock'" : ""))
                .bind("app", "dangan-" + process.pid() + "-%").bind("statement", statementLike).mapTo(Long.class).one());
    }

    @Override
    public void close() {
        if (!holder.isClosed()) {
            holder.rollback();
            holder.close();
        }
    }
}
