package dangan.retention;

import java.util.List;

/**
 * Work that must follow a destruction once it is committed (it never undoes it): forget the
 * destroyed keys in the key cache, rewrite the backups' keyring so it no longer holds them (D-29).
 * A failing listener is logged; the destruction stands.
 */
@FunctionalInterface
public interface DestructionListener {

    /** One destroyed archive: the customer id it had, its number, its destruction record. */
    record Destroyed(long customerId, String archiveNo, long destructionId, boolean keysDestroyed) {
    }

    void destroyed(List<Destroyed> archives) throws Exception;
}
