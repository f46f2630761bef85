package dangan.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * What the service logs, captured at the root logger as written (the service's own logback
 * configuration). Test classes run in parallel, so {@link #byThread} keeps the lines of one
 * consumer's thread (its name holds the folder or mailbox it reads). Started by hand
 * ({@code try (LogCapture log = LogCapture.start())}) or around each test of a class:
 * <pre>{@code
 * @RegisterExtension
 * final LogCapture log = LogCapture.perTest();
 * }</pre>
 */
public final class LogCapture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.appender.start();
        capture.root.addAppender(capture.appender);
        return capture;
    }

    /** Captures what is logged from the start of each test of the class to its end. */
    public static LogCapture perTest() {
        return new LogCapture();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (appender) {
            appender.list.clear();
        }
        appender.start();
        root.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The lines logged so far by the consumer of a drop folder (its thread is named after the folder). */
    public List<ILoggingEvent> byConsumer(Path inbox) {
        return byThread(inbox.toUri().getPath().replaceAll("/$", ""));
    }

    /** The lines logged so far by threads whose name contains the text. */
    public List<ILoggingEvent> byThread(String text) {
        List<ILoggingEvent> all;
        synchronized (appender) { // the appender appends under its own lock
            all = List.copyOf(appender.list);
        }
        return all.stream().filter(e -> e.getThreadName().contains(text)).toList();
    }

    /** Of these lines, those at WARN or above. */
    public static List<ILoggingEvent> warnings(List<ILoggingEvent> lines) {
        return lines.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
