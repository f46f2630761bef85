package dangan.notify;

import org.jdbi.v3.core.Handle;

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
    public static UUID record(Handle h, String kind, Long customerId, String payloadJson) {
        return h.createQuery("insert into notification_event (kind, customer_id, payload)"
                        + " values (:kind, :customer, :payload::jsonb) returning id")
                .bind("kind", kind).bind("customer", customerId).bind("payload", payloadJson == null ? "{}" : payloadJson)
                .mapTo(UUID.class).one();
    }
}
