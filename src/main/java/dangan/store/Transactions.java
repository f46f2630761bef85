package dangan.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** One connection, one transaction: committed when the work returns, rolled back when it throws. */
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
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.in(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    public static void inTransaction(DataSource dataSource, VoidWork work) throws SQLException {
        inTransaction(dataSource, c -> {
            work.in(c);
            return null;
        });
    }
}
