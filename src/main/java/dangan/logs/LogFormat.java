package dangan.logs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dangan.config.Settings;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.Locale;

/**
 * The log's format, {@code dangan.log.format}: {@code plain} (logback.xml's pattern, one line per
 * entry starting with the date and time) or {@code json} (logback's own {@link JsonEncoder}: one JSON
 * object per line with {@code timestamp}, {@code level}, {@code threadName}, {@code loggerName},
 * {@code mdc} — the file, ingest, route and request it is about — {@code formattedMessage} and
 * {@code throwable}). The JSON leaves out the message's raw arguments: only the text as logged goes
 * out, which Dangan writes without ID numbers, health values or tokens in either format.
 */
public final class LogFormat {

    public static final String KEY = "dangan.log.format";

    /** MDC keys Dangan sets (Camel adds {@code camel.routeId}, {@code camel.exchangeId} … with camel.main.useMdcLogging). */
    public static final String FILE = "file";
    public static final String INGEST = "ingest";
    public static final String REQUEST = "request";

    private LogFormat() {
    }

    /** Applies the configured format to the log's appenders; an unknown value is refused, naming the key. */
    public static void apply(Settings settings) {
        apply(loggerContext(), settings.get(KEY, "plain"));
    }

    /**
     * Logback's context. While SLF4J initialises in another thread (test classes starting services in
     * parallel) it hands out a stand-in factory for a moment: wait for the real one (at most 10 s).
     */
    private static LoggerContext loggerContext() {
        long until = System.nanoTime() + 10_000_000_000L;
        org.slf4j.ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        while (!(factory instanceof LoggerContext) && System.nanoTime() < until) {
            Thread.onSpinWait();
            factory = LoggerFactory.getILoggerFactory();
        }
        if (factory instanceof LoggerContext context) return context;
        throw dangan.i18n.ConfigurationException.of("config.log-backend", "backend", factory.getClass().getName());
    }

    static void apply(LoggerContext context, String format) {
        String chosen = format.strip().toLowerCase(Locale.ROOT);
        if (chosen.equals("plain")) return; // logback.xml's pattern as it is
        if (!chosen.equals("json")) {
            throw dangan.i18n.ConfigurationException.of("config.log-format", "value", format);
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out && !(out.getEncoder() instanceof JsonEncoder)) {
                // swapped in place: stopping the appender would close its stream (System.out for the console)
                out.setEncoder(json(context));
            }
        }
    }

    /** Logback's JSON encoder as Dangan uses it: the formatted message, MDC and throwable; no raw arguments. */
    public static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);   // the pattern with {} …
        encoder.setWithArguments(false); // … and its raw arguments: never out
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
