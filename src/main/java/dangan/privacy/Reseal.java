package dangan.privacy;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
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

    private final DataSource dataSource;
    private final SensitiveFields sensitive;

    public Reseal(DataSource dataSource, SensitiveFields sensitive) {
        this.dataSource = dataSource;
        this.sensitive = sensitive;
    }

    /** Values per table and version (1: service key, 2: customer key): what {@code keys status} prints. */
    public Map<String, Map<Integer, Long>> status() throws SQLException {
        Map<String, Map<Integer, Long>> status = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (String[] col : COLUMNS) {
                Map<Integer, Long> versions = new LinkedHashMap<>();
                try (PreparedStatement ps = c.prepareStatement("select get_byte(" + col[3] + ", 0), count(*) from " + col[0]
                        + " where " + col[3] + " is not null group by 1 order by 1");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) versions.put(rs.getInt(1), rs.getLong(2));
                }
                status.put(col[0] + "." + col[3], versions);
            }
        }
        return status;
    }

    /** Re-seals every version 1 value of a customer, {@code batchCustomers} customers per transaction. */
    public Result run(int batchCustomers) throws SQLException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String[] col : COLUMNS) counts.put(col[0] + "." + col[3], 0);
        int customers = 0;
        while (true) {
            int done = batch(batchCustomers, counts);
            if (done == 0) break;
            customers += done;
        }
        return new Result(counts, customers);
    }

    private record Value(String[] column, long rowId, byte[] sealed) {
    }

    /** One transaction: the next customers with version 1 values; returns how many customers it handled. */
    private int batch(int batchCustomers, Map<String, Integer> counts) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                StringBuilder union = new StringBuilder();
                for (String[] col : COLUMNS) {
                    if (!union.isEmpty()) union.append(" union ");
                    union.append("select ").append(col[2]).append(" as customer_id from ").append(col[0])
                            .append(" where ").append(col[3]).append(" is not null and get_byte(").append(col[3]).append(", 0) = 1");
                }
                List<Long> customers = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("select customer_id from (" + union + ") v order by 1 limit ?")) {
                    ps.setInt(1, batchCustomers);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) customers.add(rs.getLong(1));
                    }
                }
                if (customers.isEmpty()) {
                    c.commit();
                    return 0;
                }
                Map<Long, List<Value>> values = new LinkedHashMap<>();
                for (String[] col : COLUMNS) {
                    try (PreparedStatement ps = c.prepareStatement("select " + col[1] + ", " + col[2] + ", " + col[3] + " from "
                            + col[0] + " where " + col[2] + " = any(?) and " + col[3] + " is not null and get_byte(" + col[3]
                            + ", 0) = 1 for update")) {
                        ps.setArray(1, c.createArrayOf("bigint", customers.toArray()));
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                values.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>())
                                        .add(new Value(col, rs.getLong(1), rs.getBytes(3)));
                            }
                        }
                    }
                }
                Map<String, PreparedStatement> updates = new HashMap<>();
                try {
                    for (Map.Entry<Long, List<Value>> e : values.entrySet()) {
                        DataKey key = sensitive.keyOf(c, e.getKey());
                        for (Value v : e.getValue()) {
                            String name = v.column()[0] + "." + v.column()[3];
                            PreparedStatement ps = updates.get(name);
                            if (ps == null) {
                                ps = c.prepareStatement("update " + v.column()[0] + " set " + v.column()[3] + " = ? where "
                                        + v.column()[1] + " = ?");
                                updates.put(name, ps);
                            }
                            ps.setBytes(1, sensitive.encrypt(key, sensitive.decrypt(c, v.sealed())));
                            ps.setLong(2, v.rowId());
                            ps.addBatch();
                            counts.merge(name, 1, Integer::sum);
                        }
                    }
                    for (PreparedStatement ps : updates.values()) ps.executeBatch();
                } finally {
                    for (PreparedStatement ps : updates.values()) ps.close();
                }
                c.commit();
                return customers.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
