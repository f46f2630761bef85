package dangan.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Transactions for code still written on a bare {@link Connection}: the same transaction helper as
 * {@link Db#jdbi(DataSource)}'s {@code inTransaction} (committed when the work returns, rolled back
 * when it throws), handing the work the handle's connection. New code uses Jdbi directly.
 */
public final class Transactions {

    /** Work inside a transaction that answers a value. */
    @FunctionalInterface
    public interface Work<T> {
        T in(Connection c) throws SQLException;
    }

    /** Work inside a transaction that answers nothing. */
    @FunctionalInterface
    public interface VoidWork {
        void in(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    public static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        return Db.jdbi(dataSource).inTransaction(h -> work.in(h.getConnection()));
    }

    public static void inTransaction(DataSource dataSource, VoidWork work) throws SQLException {
        Db.jdbi(dataSource).useTransaction(h -> work.in(h.getConnection()));
    }
}
