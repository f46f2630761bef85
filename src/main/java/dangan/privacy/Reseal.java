package dangan.privacy;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-seals version 1 values of customers (sealed under the master-derived service key, before
 * per-customer keys) under each customer's own key, so destroying the customer's keys makes them
 * unreadable too. Works in batches of customers, each batch in its own transaction; can be
 * interrupted and run again (it picks up what is still version 1). Raw rejected lines
 * ({@code intake_issue.raw_enc}) belong to no customer and stay under the service key.
 */
public final class Reseal {

    /** The columns holding customers' sealed values: table, row id, customer id, value. */
    private static final String[][] COLUMNS = {
            {"customer", "id", "id", "id_number_enc"},
            {"health_fact", "id", "customer_id", "detail_enc"},
            {"pending_change", "id", "customer_id", "proposed_enc"},
    };

    /** How many values of each table were re-sealed; how many customers got a key. */
    public record Result(Map<String, Integer> resealed, int customers) {
        public int total() {
            return resealed.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final Jdbi jdbi;
    private final SensitiveFields sensitive;

    public Reseal(DataSource dataSource, SensitiveFields sensitive) {
        this.jdbi = Db.jdbi(dataSource);
        this.sensitive = sensitive;
    }

    /** Values per table and version (1: service key, 2: customer key): what {@code keys status} prints. */
    public Map<String, Map<Integer, Long>> status() {
        Map<String, Map<Integer, Long>> status = new LinkedHashMap<>();
        jdbi.useHandle(h -> {
            for (String[] col : COLUMNS) {
                Map<Integer, Long> versions = new LinkedHashMap<>();
                // table and column names come from COLUMNS, never from input
                h.createQuery("select get_byte(" + col[3] + ", 0) as version, count(*) as n from " + col[0]
                                + " where " + col[3] + " is not null group by 1 order by 1")
                        .map((rs, ctx) -> Map.entry(rs.getInt("version"), rs.getLong("n")))
                        .forEach(e -> versions.put(e.getKey(), e.getValue()));
                status.put(col[0] + "." + col[3], versions);
            }
        });
        return status;
    }

    /** Re-seals every version 1 value of a customer, {@code batchCustomers} customers per transaction. */
    public Result run(int batchCustomers) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String[] col : COLUMNS) counts.put(col[0] + "." + col[3], 0);
        int customers = 0;
        while (true) {
            int done = jdbi.inTransaction(h -> batch(h, batchCustomers, counts));
            if (done == 0) break;
            customers += done;
        }
        return new Result(counts, customers);
    }

    private record Value(String[] column, long rowId, byte[] sealed) {
    }

    /** One transaction: the next customers with version 1 values; returns how many customers it handled. */
    private int batch(Handle h, int batchCustomers, Map<String, Integer> counts) {
        StringBuilder union = new StringBuilder();
        for (String[] col : COLUMNS) {
            if (!union.isEmpty()) union.append(" union ");
            union.append("select ").append(col[2]).append(" as customer_id from ").append(col[0])
                    .append(" where ").append(col[3]).append(" is not null and get_byte(").append(col[3]).append(", 0) = 1");
        }
        List<Long> customers = h.createQuery("select customer_id from (" + union + ") v order by 1 limit :batch")
                .bind("batch", batchCustomers).mapTo(Long.class).list();
        if (customers.isEmpty()) return 0;
        Map<Long, List<Value>> values = new LinkedHashMap<>();
        for (String[] col : COLUMNS) {
            h.createQuery("select " + col[1] + " as row_id, " + col[2] + " as customer_id, " + col[3] + " as sealed from "
                            + col[0] + " where " + col[2] + " = any(:customers) and " + col[3] + " is not null and get_byte(" + col[3]
                            + ", 0) = 1 for update")
                    .bindArray("customers", Long.class, customers)
                    .map((rs, ctx) -> Map.entry(rs.getLong("customer_id"), new Value(col, rs.getLong("row_id"), rs.getBytes("sealed"))))
                    .forEach(e -> values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        Map<String, PreparedBatch> updates = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Value>> e : values.entrySet()) {
            DataKey key = sensitive.keyOf(h, e.getKey());
            for (Value v : e.getValue()) {
                String name = v.column()[0] + "." + v.column()[3];
                updates.computeIfAbsent(name, n -> h.prepareBatch("update " + v.column()[0] + " set " + v.column()[3]
                                + " = :sealed where " + v.column()[1] + " = :id"))
                        .bind("sealed", sensitive.encrypt(key, sensitive.decrypt(h, v.sealed()))).bind("id", v.rowId()).add();
                counts.merge(name, 1, Integer::sum);
            }
        }
        for (PreparedBatch batch : updates.values()) batch.execute();
        return customers.size();
    }
}
