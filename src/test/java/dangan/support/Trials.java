package dangan.support;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault trials' record: each trial prints one line — trial, moment, expected, observed, held or
 * broken — and at the end of the test run one summary line states how many trials ran and how many
 * held (this class is also a JUnit launcher listener, registered in META-INF/services). A trial that
 * did not hold also fails its test: the record is for reading, the assertion is the proof.
 */
public final class Trials implements TestExecutionListener {

    private static final AtomicInteger RUN = new AtomicInteger();
    private static final AtomicInteger HELD = new AtomicInteger();

    /** Prints the trial's line and counts it. */
    public static void record(String trial, String moment, String expected, String observed, boolean held) {
        RUN.incrementAndGet();
        if (held) HELD.incrementAndGet();
        System.out.printf("TRIAL %s | moment: %s | expected: %s | observed: %s | %s%n",
                trial, moment, expected, observed, held ? "held" : "BROKEN");
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (RUN.get() > 0) {
            System.out.printf("FAULT TRIALS: %d run, %d held, %d broken%n", RUN.get(), HELD.get(), RUN.get() - HELD.get());
        }
    }
}
