package dangan.logs;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the real service logs, in both formats, while it files a file full of ID numbers and health
 * data and answers requests that carry a token (and an ID number where none belongs): none of those
 * values, in either format; the JSON lines carry the file, ingest, route and request as fields, the
 * plain ones the date.
 */
@Tag("service")
class LogContentTest {

    static final String ID_1 = "440304198503151231";
    static final String ID_2 = "310115197708224566";
    static final String ID_BAD_CHECK_DIGIT = "110105194912310021";
    static final String ALLERGY = "对海鲜过敏甲";
    static final String HEALTH = "高血压乙期";
    static final String HEALTH_2 = "糖尿病丙型";
    static final String FILE = "guests-with-ids.csv";
    static final String CONTENT = "姓名,手机,身份证号,过敏史,健康状况,出生日期\n"
            + "王芳,13811112222," + ID_1 + "," + ALLERGY + "," + HEALTH + ",1985-03-16\n" // birth date not the ID's: a warning
            + "赵强,13822223333," + ID_2 + ",," + HEALTH_2 + ",\n"
            + "钱多,12345," + ID_BAD_CHECK_DIGIT + ",,,\n"; // nothing valid to identify: rejected

    @TempDir
    static Path home;
    static RunningService service;
    static final ByteArrayOutputStream plain = new ByteArrayOutputStream();
    static final ByteArrayOutputStream json = new ByteArrayOutputStream();
    static final List<Appender<ILoggingEvent>> capture = new ArrayList<>();
    static String token;
    static String archiveNo;
    static ApiClient.Reply read;

    @BeforeAll
    static void fileAndAsk() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        PatternLayoutEncoder configured = configuredPlainEncoder(root);
        PatternLayoutEncoder plainEncoder = new PatternLayoutEncoder();
        plainEncoder.setContext(context);
        plainEncoder.setPattern(configured.getPattern());
        plainEncoder.start();
        capture.add(appender(context, "capture-plain", plainEncoder, plain));
        capture.add(appender(context, "capture-json", LogFormat.json(context), json));
        capture.forEach(root::addAppender);

        service = RunningService.start(home);
        service.drop(FILE, CONTENT, StandardCharsets.UTF_8);
        assertThat(service.awaitHandled(FILE).toString()).contains("done");
        archiveNo = (String) service.row("select archive_no from customer where name = ?", "王芳").get("archive_no");

        ApiClient staff = ApiClient.asNewUser(service, "svc.log", Role.SERVICE);
        token = staff.token();
        read = staff.get("/api/archives/" + archiveNo + "?categories=health&purpose="
                + URLEncoder.encode("allergy check", StandardCharsets.UTF_8));
        staff.get("/api/archives?mobile=13811112222&purpose=lookup");
        staff.get("/api/archives/" + ID_1 + "?purpose=x");               // an ID number where an archive number belongs
        staff.get("/api/archives?archive_no=" + ID_2 + "&purpose=x");
        ApiClient.withToken(service, token + "x").get("/api/me");        // a token that is almost right
        ApiClient.withToken(service, ID_1).get("/api/me");              // an ID number as a token
        staff.post("/api/access-requests", "{\"archive_nos\": [\"" + ID_2 + "\"], \"categories\": [\"health\"], "
                + "\"purpose\": \"" + HEALTH + "\", \"days\": 1}");
        staff.post("/api/access-requests", "{\"archive_nos\": [\"" + ID_1 + "\"");  // malformed: cut off after the ID number
    }

    @AfterAll
    static void stop() {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        capture.forEach(a -> {
            root.detachAppender(a);
            a.stop();
        });
        if (service != null) service.close();
    }

    @Test
    void theRequestsReallyCarriedTheValues() {
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text()).as("the service did read the health data out").contains(ALLERGY);
        assertThat(token).hasSizeGreaterThan(16);
    }

    @Test
    void neitherFormatCarriesAnIdNumberAHealthValueOrAToken() {
        for (String log : List.of(text(plain), text(json))) {
            assertThat(log).as("the service logged while filing and answering").contains(FILE);
            assertThat(log).doesNotContain(ID_1, ID_2, ID_BAD_CHECK_DIGIT, ALLERGY, HEALTH, HEALTH_2, token);
            // nor the ID numbers' digits cut into pieces by masking that kept too much
            assertThat(log).doesNotContain(ID_1.substring(4, 14), ID_2.substring(4, 14), ID_BAD_CHECK_DIGIT.substring(4, 14));
        }
    }

    @Test
    void jsonLinesCarryTheFileIngestRouteAndRequestAsFields() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text(json).split("\n")) {
            if (!line.isBlank()) lines.add(mapper.readTree(line)); // every line is one JSON object
        }
        long ingestId = ((Number) service.row("select id from ingest where source_name = ?", FILE).get("id")).longValue();
        JsonNode summary = lines.stream()
                .filter(l -> FILE.equals(l.path("mdc").path("file").asText()) && l.path("formattedMessage").asText().contains("新建 2"))
                .findFirst().orElseThrow(() -> new AssertionError("no JSON line with the file's summary and field file"));
        assertThat(summary.path("mdc").path("ingest").asText()).isEqualTo(String.valueOf(ingestId));
        assertThat(summary.path("mdc").path("camel.routeId").asText()).isEqualTo("registrations");
        assertThat(summary.path("level").asText()).isEqualTo("INFO");
        assertThat(summary.path("timestamp").asLong()).isPositive();
        assertThat(summary.has("arguments")).as("raw arguments never go out").isFalse();

        assertThat(lines).as("a request's lines carry its id").anyMatch(l -> !l.path("mdc").path("request").asText().isEmpty()
                && l.path("formattedMessage").asText().contains("/api/"));
    }

    @Test
    void plainLinesStartWithTheDate() {
        String[] lines = text(plain).split("\n");
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            if (line.startsWith("\t") || line.startsWith("Caused by") || line.startsWith("\tat") || line.isBlank()
                    || line.startsWith("...") || !line.matches("^\\S.*")) continue; // stack trace lines
            if (line.matches("^[a-zA-Z0-9.$_]+(Exception|Error).*")) continue; // a stack trace's first line (org.jdbi.v3.…Exception)
            assertThat(line).matches("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} .*");
        }
    }

    private static PatternLayoutEncoder configuredPlainEncoder(Logger root) {
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out && out.getEncoder() instanceof PatternLayoutEncoder p) {
                return p;
            }
        }
        throw new AssertionError("logback.xml has no plain console appender");
    }

    private static Appender<ILoggingEvent> appender(LoggerContext context, String name, Encoder<ILoggingEvent> encoder,
                                                    ByteArrayOutputStream target) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.setOutputStream(target);
        appender.start();
        return appender;
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
