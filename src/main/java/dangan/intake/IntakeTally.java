package dangan.intake;

import java.util.concurrent.atomic.AtomicInteger;

/** Files handled and failed since start: what {@code --once} reports through its exit status. */
public final class IntakeTally {

    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    public void handled() {
        handled.incrementAndGet();
    }

    public void failed() {
        failed.incrementAndGet();
    }

    public int handledCount() {
        return handled.get();
    }

    public int failedCount() {
        return failed.get();
    }
}
