package dangan.support;

/**
 * How tests share the test JVM. Test classes run in parallel (src/test/resources/junit-platform.properties:
 * classes concurrently, the methods of one class one after another). Each class is kept apart by
 * what it gets: a database of its own ({@link TestDatabase#freshDatabase()}), a DANGAN_HOME of its
 * own ({@code @TempDir}) and ports nobody else was given ({@link RunningService#freePort()}, GreenMail's
 * dynamic ports). What cannot be had twice is declared, so JUnit runs its holders one at a time:
 * <ul>
 *   <li>{@code @ResourceLock(TestResources.BROWSER)} on a class (or method) that drives a real
 *       browser: one browser at a time on the 2-core machine;</li>
 *   <li>{@code @Isolated} on a class that must be alone in the JVM (it changes JVM-wide state:
 *       default locale or time zone, system properties, a logger's level).</li>
 * </ul>
 * A test reading log lines filters them to its own thread (other classes' services log at the same time).
 *
 * Tags: {@code @Tag("service")} — starts the whole service (real routes, PostgreSQL, ports);
 * {@code @Tag("database")} — the embedded PostgreSQL without the service; {@code @Tag("fast")} —
 * neither. {@code ./mvnw -B -ntp test -Dgroups=fast} runs the fast ones alone.
 */
public final class TestResources {

    /** The lock of a real browser (Selenium). */
    public static final String BROWSER = "browser";

    /** The tag of tests that start the whole service. */
    public static final String SERVICE = "service";

    private TestResources() {
    }
}
