package dangan.backup;

import java.sql.Connection;
import java.sql.SQLException;

/** One repeatable-read, read-only transaction: every table read in it shows the same moment. */
final class Snapshot {

    private Snapshot() {
    }

    static void begin(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
    }

    static void end(Connection c) throws SQLException {
        try {
            c.rollback(); // read only: nothing to commit
        } finally {
            c.setReadOnly(false);
            c.setAutoCommit(true);
        }
    }
}
