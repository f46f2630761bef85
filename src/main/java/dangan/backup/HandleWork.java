package dangan.backup;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.SQLException;

/**
 * Work of a backup or restore on a Jdbi handle, in one transaction: it streams rows with COPY
 * ({@code h.getConnection().unwrap(PGConnection.class).getCopyAPI()}), so it may throw what files and
 * the driver's COPY API throw. {@link #snapshot} is one repeatable-read, read-only transaction: every
 * table read in it shows the same moment.
 */
@FunctionalInterface
interface HandleWork<R> {

    R apply(Handle h) throws IOException, SQLException;

    /** {@code work} in one repeatable-read, read-only transaction of the archive. */
    static <R> R snapshot(DataSource ds, HandleWork<R> work) throws IOException, SQLException {
        return inTransaction(Db.jdbi(ds), TransactionIsolationLevel.REPEATABLE_READ, h -> {
            h.execute("set transaction read only");
            return work.apply(h);
        });
    }

    /** {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    static <R> R inTransaction(Jdbi jdbi, TransactionIsolationLevel level, HandleWork<R> work) throws IOException, SQLException {
        try {
            return jdbi.inTransaction(level, work::apply);
        } catch (IOException | SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // apply throws nothing else
        }
    }
}
