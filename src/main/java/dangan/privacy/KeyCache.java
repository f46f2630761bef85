package dangan.privacy;

import javax.crypto.SecretKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Unwrapped customer keys by id, least recently used out first, each valid for a time-to-live: code that
 * destroys keys forgets them after its commit, and other instances see a destruction within the time-to-live.
 */
final class KeyCache {

    private record Entry(SecretKey key, long customerId, long loadedAt) {
    }

    private final int capacity;
    private final long ttlNanos;
    private final LinkedHashMap<UUID, Entry> entries;

    KeyCache(int capacity, long ttlNanos) {
        this.capacity = Math.max(capacity, 0);
        this.ttlNanos = ttlNanos;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, Entry> eldest) {
                return size() > KeyCache.this.capacity;
            }
        };
    }

    synchronized SecretKey get(UUID id) {
        Entry e = entries.get(id);
        if (e == null) return null;
        if (System.nanoTime() - e.loadedAt > ttlNanos) {
            entries.remove(id);
            return null;
        }
        return e.key;
    }

    synchronized void put(UUID id, long customerId, SecretKey key) {
        if (capacity > 0) entries.put(id, new Entry(key, customerId, System.nanoTime()));
    }

    synchronized void forgetCustomer(long customerId) {
        entries.values().removeIf(e -> e.customerId == customerId);
    }

    synchronized void clear() {
        entries.clear();
    }
}
