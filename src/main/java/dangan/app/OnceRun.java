package dangan.app;

import dangan.flow.Flow;
import dangan.i18n.Messages;
import dangan.intake.IntakeTally;
import dangan.store.Db;
import org.apache.camel.util.AntPathMatcher;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * {@code --once}: waits until every drop folder is empty (each file moved to done/ or failed/),
 * every flow says it is drained and nothing is in flight, then reports. Exit status 0 when every file was handled (rejected
 * lines included), 2 when a file failed as a whole, 3 when the deadline passed first.
 */
final class OnceRun {

    private static final Logger LOG = LoggerFactory.getLogger(OnceRun.class);
    private static final long SETTLED_POLLS = 3;

    private final DanganService service;
    private final String[] excludes;

    OnceRun(DanganService service) {
        this.service = service;
        this.excludes = service.settings().get("dangan.intake.exclude", "").split(",");
    }

    int drain(Duration deadline) throws IOException, InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        int settled = 0;
        while (settled < SETTLED_POLLS) {
            if (System.nanoTime() > until) {
                LOG.error(Messages.of(service.settings()).text("log.app.once-timed-out", "seconds", deadline.toSeconds(), "files", waitingFiles()));
                return Dangan.TIMED_OUT;
            }
            Thread.sleep(300);
            boolean idle = waitingFiles() == 0 && service.camelContext().getInflightRepository().size() == 0
                    && service.flows().stream().allMatch(Flow::drained);
            settled = idle ? settled + 1 : 0;
        }
        IntakeTally tally = service.tally();
        LOG.info(Messages.of(service.settings()).text("log.app.once-done", "handled", tally.handledCount(), "failed", tally.failedCount(),
                "customers", archiveSize(), "folder", service.settings().home().resolve("outbox").resolve("rejects").toString()));
        return tally.failedCount() > 0 ? Dangan.FAILED : Dangan.OK;
    }

    private long archiveSize() {
        try {
            return Db.jdbi(service.database().dataSource())
                    .withHandle(h -> h.createQuery("select count(*) from customer").mapTo(Long.class).one());
        } catch (JdbiException e) {
            throw new IllegalStateException(Messages.of(service.settings()).text("log.app.uncounted", "problem", String.valueOf(e.getMessage())), e);
        }
    }

    /** Files in the drop folders that the routes will pick up (hidden and excluded partial files are not). */
    private long waitingFiles() throws IOException {
        long count = 0;
        for (Flow flow : service.flows()) {
            for (String inbox : flow.inboxes()) {
                Path folder = service.settings().home().resolve("inbox").resolve(inbox);
                try (Stream<Path> files = Files.list(folder)) {
                    count += files.filter(Files::isRegularFile).filter(this::eligible).count();
                }
            }
        }
        return count;
    }

    private boolean eligible(Path file) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) return false;
        AntPathMatcher matcher = AntPathMatcher.INSTANCE;
        for (String pattern : excludes) {
            String p = pattern.trim();
            if (!p.isEmpty() && matcher.match(p.replace("**/", ""), name)) return false;
        }
        return true;
    }
}
