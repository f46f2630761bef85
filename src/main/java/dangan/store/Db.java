package dangan.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.ObjectArgumentFactory;
import org.jdbi.v3.core.mapper.GetObjectColumnMapperFactory;
import org.jdbi.v3.core.statement.StatementExceptions;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one data-access style: <a href="https://jdbi.org">Jdbi 3</a> on the archive's {@link DataSource}.
 * SQL with named parameters ({@code :name}), rows mapped by column name, and one transaction helper:
 * <pre>{@code
 * Jdbi jdbi = Db.jdbi(dataSource);
 * long id = jdbi.inTransaction(h -> h.createUpdate("insert into t (a, b) values (:a, :b)")
 *         .bind("a", a).bind("b", b)
 *         .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
 * List<Row> rows = jdbi.withHandle(h -> h.createQuery("select a, b from t where a = :a").bind("a", a)
 *         .map((rs, ctx) -> new Row(rs.getString("a"), rs.getLong("b"))).list());
 * }</pre>
 * A method that must join its caller's transaction takes the caller's {@link Handle}. Java time
 * values bind and map the way the PostgreSQL driver does natively ({@code OffsetDateTime},
 * {@code LocalDate}, {@code LocalDateTime}, {@code LocalTime}); arrays of {@code String}, {@code Long},
 * {@code Integer} and {@code UUID} bind as {@code text[]}, {@code bigint[]}, {@code integer[]},
 * {@code uuid[]}, of {@code BigDecimal} as {@code numeric[]}. A failed statement's message carries the
 * database's error, never the bound values. Bulk paths keep using COPY: {@code h.getConnection().unwrap(PGConnection.class)}.
 */
public final class Db {

    private static final Map<DataSource, Jdbi> JDBI = new ConcurrentHashMap<>();

    private Db() {
    }

    /**
     * The Jdbi of this data source, configured once. {@code inTransaction} / {@code useTransaction}
     * commit when the work returns and roll back when it throws; called again on the same thread
     * inside such work, they join the open transaction rather than start a second one. The Jdbi of a
     * pool is kept while the pool is open: {@link #forget} drops it when its owner closes the pool, and
     * the Jdbis of pools closed without that are dropped when the next data source is first seen.
     */
    public static Jdbi jdbi(DataSource dataSource) {
        Jdbi known = JDBI.get(dataSource);
        if (known != null) return known;
        JDBI.keySet().removeIf(Db::closed);
        return JDBI.computeIfAbsent(dataSource, ds -> configure(Jdbi.create(ds)));
    }

    /** Drops the Jdbi of a data source that is being closed (a pool that is recreated does not leave one behind each time). */
    public static void forget(DataSource dataSource) {
        JDBI.remove(dataSource);
    }

    /** Whether a Jdbi of this data source is kept. */
    static boolean holds(DataSource dataSource) {
        return JDBI.containsKey(dataSource);
    }

    private static boolean closed(DataSource dataSource) {
        return dataSource instanceof com.zaxxer.hikari.HikariDataSource pool && pool.isClosed();
    }

    /** The SQLSTATE of the database error under {@code e}, if any (23505: unique violation). */
    public static Optional<String> sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) return Optional.of(sql.getSQLState());
        }
        return Optional.empty();
    }

    /** Whether {@code e} is (or wraps) a unique-constraint violation. */
    public static boolean isUniqueViolation(Throwable e) {
        return sqlState(e).filter("23505"::equals).isPresent();
    }

    private static Jdbi configure(Jdbi jdbi) {
        // a failed statement's message is the database's own: never the bound values (ID numbers, health data)
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        jdbi.registerArgument(ObjectArgumentFactory.create(OffsetDateTime.class, Types.TIMESTAMP_WITH_TIMEZONE));
        jdbi.registerArgument(ObjectArgumentFactory.create(LocalDateTime.class, Types.TIMESTAMP));
        jdbi.registerArgument(ObjectArgumentFactory.create(LocalDate.class, Types.DATE));
        jdbi.registerArgument(ObjectArgumentFactory.create(LocalTime.class, Types.TIME));
        jdbi.registerColumnMapper(GetObjectColumnMapperFactory.forClasses(
                OffsetDateTime.class, LocalDateTime.class, LocalDate.class, LocalTime.class));
        jdbi.registerArrayType(String.class, "text");
        jdbi.registerArrayType(Long.class, "bigint");
        jdbi.registerArrayType(Integer.class, "integer");
        jdbi.registerArrayType(UUID.class, "uuid");
        jdbi.registerArrayType(BigDecimal.class, "numeric");
        return jdbi;
    }
}
