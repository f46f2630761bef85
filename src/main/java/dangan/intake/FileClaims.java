package dangan.intake;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims on dropped files, shared through the database by every instance watching the same folders
 * (the file consumer's idempotent read lock). An instance releases only the claims it made itself:
 * one that failed to claim a file (another instance holds it) and rolls back must never delete the
 * other instance's claim, or a third poll could take the file while the first is still filing it.
 * A claim that cannot be written (the other instance won the race on the key) is "not claimed".
 */
public final class FileClaims extends ServiceSupport implements IdempotentRepository {

    private final IdempotentRepository shared;
    private final Set<String> mine = ConcurrentHashMap.newKeySet();

    public FileClaims(IdempotentRepository shared) {
        this.shared = shared;
    }

    @Override
    public boolean add(String key) {
        boolean claimed;
        try {
            claimed = shared.add(key);
        } catch (RuntimeException raced) {
            claimed = false; // the other instance inserted the same key first
        }
        if (claimed) {
            mine.add(key);
        }
        return claimed;
    }

    @Override
    public boolean contains(String key) {
        return shared.contains(key);
    }

    @Override
    public boolean remove(String key) {
        if (!mine.remove(key)) {
            return false; // not ours: leave the other instance's claim alone
        }
        return shared.remove(key);
    }

    @Override
    public boolean confirm(String key) {
        return shared.confirm(key);
    }

    @Override
    public void clear() {
        for (String key : Set.copyOf(mine)) {
            remove(key);
        }
    }

    /** How many claims this instance holds now. */
    public int held() {
        return mine.size();
    }

    @Override
    protected void doStart() throws Exception {
        ServiceHelper.startService(shared);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(shared);
    }
}
