package dangan.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per remote address and minute. Each failure is audited (D-26) up to the
 * limit; past it, the address is answered 429 for the rest of the minute and the audit log gets one
 * entry saying so, not one per attempt: nobody can flood the chained log from outside.
 */
final class FailedAuthentications {

    /** What to do with one more failure from an address. */
    enum Verdict { AUDIT, LIMIT_REACHED, REFUSE }

    private record Window(long minute, int failures) {
    }

    private static final int MAX_ADDRESSES = 10_000;

    private final int perMinute;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    FailedAuthentications(int perMinute) {
        this.perMinute = perMinute;
    }

    Verdict failed(String address, long nowMillis) {
        long minute = nowMillis / 60_000;
        if (windows.size() > MAX_ADDRESSES) windows.values().removeIf(w -> w.minute() < minute);
        Window w = windows.merge(address, new Window(minute, 1),
                (old, one) -> old.minute() == minute ? new Window(minute, old.failures() + 1) : one);
        if (w.failures() <= perMinute) return Verdict.AUDIT;
        return w.failures() == perMinute + 1 ? Verdict.LIMIT_REACHED : Verdict.REFUSE;
    }

    /** Whether this address is past the limit in the running minute (its attempts are refused unchecked). */
    boolean refused(String address, long nowMillis) {
        Window w = windows.get(address);
        return w != null && w.minute() == nowMillis / 60_000 && w.failures() > perMinute;
    }

    int perMinute() {
        return perMinute;
    }
}
