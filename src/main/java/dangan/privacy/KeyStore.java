package dangan.privacy;

import org.jdbi.v3.core.Handle;

import java.util.Optional;
import java.util.UUID;

/**
 * The table {@code customer_key}: each customer's data keys, wrapped ({@link SealedValueCodec#wrap}), newest last.
 * Every method works in the caller's transaction ({@link Handle}), so a key filed there is seen there at once.
 */
final class KeyStore {

    /** A stored key row: whose it is and its wrapped bytes. */
    record Stored(UUID id, long customerId, byte[] wrapped) {
    }

    private KeyStore() {
    }

    /** The customer's current key (the newest row), if it has one. */
    static Optional<Stored> current(Handle h, long customerId) {
        return h.createQuery("select id, customer_id, wrapped from customer_key where customer_id = :customer"
                        + " order by created_at desc, id limit 1")
                .bind("customer", customerId).map((rs, ctx) -> stored(rs)).findOne();
    }

    /** The key with this id; empty once it was destroyed. */
    static Optional<Stored> find(Handle h, UUID id) {
        return h.createQuery("select id, customer_id, wrapped from customer_key where id = :id")
                .bind("id", id).map((rs, ctx) -> stored(rs)).findOne();
    }

    static void insert(Handle h, long customerId, DataKey key) {
        h.createUpdate("insert into customer_key (id, customer_id, wrapped) values (:id, :customer, :wrapped)")
                .bind("id", key.id()).bind("customer", customerId).bind("wrapped", key.wrapped()).execute();
    }

    private static Stored stored(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Stored(rs.getObject("id", UUID.class), rs.getLong("customer_id"), rs.getBytes("wrapped"));
    }
}
