package dangan.access;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events per key (a remote address, a member of staff, a survey source) and minute, against a limit:
 * failed authentications per address, calls denied to one caller, survey POSTs per source. Each event
 * up to the limit is handled one by one (audited, filed); the one past it is said once (one audit entry,
 * one log line) and the rest of the minute is answered 429: nobody can flood the chained log from outside.
 */
public final class PerMinuteLimit {

    /** What to do with one more failure from an address. */
    public enum Verdict { AUDIT, LIMIT_REACHED, REFUSE }

    private record Window(long minute, int failures) {
    }

    private static final int MAX_ADDRESSES = 10_000;

    private final int perMinute;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public PerMinuteLimit(int perMinute) {
        this.perMinute = perMinute;
    }

    /** One more event of this key now: within the limit, the one past it, or beyond. */
    public Verdict failed(String address, long nowMillis) {
        long minute = nowMillis / 60_000;
        if (windows.size() > MAX_ADDRESSES) windows.values().removeIf(w -> w.minute() < minute);
        Window w = windows.merge(address, new Window(minute, 1),
                (old, one) -> old.minute() == minute ? new Window(minute, old.failures() + 1) : one);
        if (w.failures() <= perMinute) return Verdict.AUDIT;
        return w.failures() == perMinute + 1 ? Verdict.LIMIT_REACHED : Verdict.REFUSE;
    }

    /** Whether this address is past the limit in the running minute (its attempts are refused unchecked). */
    public boolean refused(String address, long nowMillis) {
        Window w = windows.get(address);
        return w != null && w.minute() == nowMillis / 60_000 && w.failures() > perMinute;
    }

    public int perMinute() {
        return perMinute;
    }
}
