package dangan.notify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The transactional outbox (D-22, D-27): records a notification event on the caller's connection,
 * inside the transaction that makes the change, so both commit or neither does. The relay route
 * delivers events later. Payloads carry no health data or ID numbers in clear.
 */
public final class Outbox {

    private Outbox() {
    }

    /** Records one event; returns its id (receivers de-duplicate by it). */
    public static UUID record(Connection c, String kind, Long customerId, String payloadJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "insert into notification_event (kind, customer_id, payload) values (?, ?, ?::jsonb) returning id")) {
            ps.setString(1, kind);
            ps.setObject(2, customerId);
            ps.setString(3, payloadJson == null ? "{}" : payloadJson);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return (UUID) rs.getObject(1);
            }
        }
    }
}
