package dangan.logs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** dangan.log.format on a logging context of the test's own (the JVM's stays as it is). */
@Tag("fast")
class LogFormatTest {

    @Test
    void jsonSwitchesTheAppendersToLogbacksJsonEncoderWithTheFields() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = plainAppender(context, out);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);

        LogFormat.apply(context, "json");
        assertThat(appender.getEncoder()).isInstanceOf(JsonEncoder.class);
        context.getLogger("registrations").info("members.csv: {} lines", 3);
        String line = out.toString(StandardCharsets.UTF_8);
        // the MDC fields on the real service's lines: LogContentTest
        assertThat(line).startsWith("{").contains("\"formattedMessage\":\"members.csv: 3 lines\"").contains("\"mdc\"")
                .contains("\"loggerName\":\"registrations\"").doesNotContain("\"arguments\"").doesNotContain("\"message\"");
    }

    @Test
    void plainKeepsTheConfiguredPatternAndAnythingElseIsRefusedNamingTheKey() {
        LoggerContext context = new LoggerContext();
        OutputStreamAppender<ILoggingEvent> appender = plainAppender(context, new ByteArrayOutputStream());
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        LogFormat.apply(context, "plain");
        assertThat(appender.getEncoder()).isInstanceOf(PatternLayoutEncoder.class);
        assertThatThrownBy(() -> LogFormat.apply(context, "xml"))
                .hasMessageContaining("dangan.log.format").hasMessageContaining("plain or json").hasMessageContaining("'xml'");
    }

    private static OutputStreamAppender<ILoggingEvent> plainAppender(LoggerContext context, ByteArrayOutputStream out) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d %msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        return appender;
    }
}
