package dangan.faults;

import org.slf4j.MDC;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Named moments of the work (a file's ingest: {@code header}, {@code line-N}, {@code staged}, {@code merge:STEP},
 * {@code merged}, {@code before-commit}, {@code committed}, {@code reported}, {@code moved}; a reminder job,
 * its subject the job's name: {@code issued} (in its transaction), {@code committed} (before its feed); the backup:
 * {@code renaming}, {@code renamed} (the keyring written, before and after the {@code .dgb} is renamed into place);
 * a restore: {@code before-load} (the target marked, its schema made), {@code loaded} (in the load's transaction,
 * before the mark is cleared), {@code committed} (after it)) where the
 * fault trials stop the service on purpose: with the JVM property
 * {@code dangan.faults.pause-at=MOMENT@SUBJECT,…} (never a setting of the file: a test's ServiceProcess
 * passes it) the thread that reaches the moment for that subject — the file in hand (the log's
 * {@code file} field), or the job — writes {@code DANGAN_HOME/paused/MOMENT@SUBJECT} and waits until the
 * file is removed — once per moment and subject in a process: work that is tried again passes the moment
 * the second time. A trial waits for that file, then kills the service, restarts PostgreSQL, runs an
 * ANALYZE …, and removes it (or not). Without the property (always, in service) every call is a no-op.
 */
public final class FaultPoint {

    private static final Set<String> PAUSES = pauses(System.getProperty("dangan.faults.pause-at", ""));
    /** The pauses already made: each once. */
    private static final Set<String> MADE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The line number of the {@code line-N} pause, or 0: the one test made on every staged line. */
    private static final int LINE = PAUSES.stream().filter(p -> p.startsWith("line-"))
            .mapToInt(p -> Integer.parseInt(p.substring("line-".length(), p.indexOf('@')))).findFirst().orElse(0);

    private FaultPoint() {
    }

    private static Set<String> pauses(String spec) {
        return spec.isBlank() ? Set.of() : Set.of(spec.strip().split("\\s*,\\s*"));
    }

    /** The moment {@code moment} of the file in hand (the log's {@code file} field). */
    public static void reach(String moment) {
        if (!PAUSES.isEmpty()) reach(moment, MDC.get("file"));
    }

    /** Line {@code lineNo} of the file in hand was read. */
    public static void line(int lineNo) {
        if (lineNo == LINE && LINE > 0) reach("line-" + lineNo);
    }

    /** The moment {@code moment} of {@code subject} (a file's name, a job's). */
    public static void reach(String moment, String subject) {
        if (PAUSES.isEmpty() || subject == null || !PAUSES.contains(moment + "@" + subject) || !MADE.add(moment + "@" + subject)) return;
        Path marker = Path.of(System.getProperty("dangan.home", "."), "paused", moment + "@" + subject);
        try {
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, Long.toString(ProcessHandle.current().pid()));
            while (Files.exists(marker)) {
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
