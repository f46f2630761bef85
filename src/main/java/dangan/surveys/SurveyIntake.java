package dangan.surveys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.i18n.Messages;
import dangan.intake.ArchiveIntake;
import dangan.intake.IngestRun;
import dangan.intake.IntakeTally;
import dangan.intake.FileName;
import dangan.intake.SpreadsheetIntake;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Survey intake (D-5, D-11), the steps the routes of routes/surveys.yaml call: {@link #fileDrop}
 * for a JSON file in inbox/surveys (and {@link #failure} for the .error.txt when it is set aside),
 * {@link #receive} for a POST to /api/surveys. Both open one ingest per file or POST (source type
 * 'survey', channel 'surveys'), read the responses, file them and say what became of each.
 */
public final class SurveyIntake {

    public static final String CHANNEL = "surveys";
    /** Exchange properties: the ingest run and the outcome of the file in hand. */
    public static final String RUN = "DanganIngest";
    public static final String OUTCOME = "DanganSurveyOutcome";

    private static final Logger LOG = LoggerFactory.getLogger(SurveyIntake.class);
    private static final String JSON = "application/json; charset=utf-8";

    private final ArchiveIntake intake;
    private final SurveyReader reader;
    private final SurveyFiling filing;
    private final Path rejectsFolder;
    private final IntakeTally tally;
    private final ObjectMapper json;
    private final long maxFileBytes;
    private final long maxBodyBytes;
    private final SurveyCredentials credentials;

    SurveyIntake(ArchiveIntake intake, SurveyReader reader, SurveyFiling filing, Path rejectsFolder, IntakeTally tally,
                 ObjectMapper json, long maxFileBytes, long maxBodyBytes, SurveyCredentials credentials) {
        this.intake = intake;
        this.reader = reader;
        this.filing = filing;
        this.rejectsFolder = rejectsFolder;
        this.tally = tally;
        this.json = json;
        this.maxFileBytes = maxFileBytes;
        this.maxBodyBytes = maxBodyBytes;
        this.credentials = credentials;
    }

    /**
     * Files the responses of a dropped file and writes its reject report. When some responses were
     * rejected the others are filed and this throws, so the file moves to failed/ with the list.
     */
    public void fileDrop(Exchange exchange) throws Exception {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        String name = FileName.shown(file.getFileName().toString());
        long size = Files.size(file);
        IngestRun run = intake.open("survey", CHANNEL, name, null, size);
        exchange.setProperty(RUN, run);
        if (size > maxFileBytes) {
            throw SurveyFormatException.of("surveys.file.too-large", "bytes", size, "max", maxFileBytes);
        }
        List<SurveyEntry> entries = reader.read(Files.readAllBytes(file));
        SurveyOutcome outcome = filing.file(run, entries);
        exchange.setProperty(OUTCOME, outcome);
        intake.report(run, rejectsFolder);
        LOG.info(outcome.summary(name, intake.messages()));
        tally.handled();
        if (outcome.rejected() > 0) throw new SurveyRejectsException(name, outcome);
    }

    /** The text of the {@code .error.txt} kept beside a file set aside in failed/; marks the ingest failed when nothing was filed. */
    public String failure(Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String fileName = FileName.shown(exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class));
        if (error instanceof SurveyRejectsException rejects) {
            SurveyOutcome o = rejects.outcome();
            LOG.warn(intake.messages().text("log.surveys.file-rejects", "file", fileName, "rejected", o.rejected(), "responses", o.responses()));
            return intake.messages().text("ingest.error.survey-rejects", "file", fileName, "taken", o.responses() - o.rejected(),
                    "responses", o.responses(), "filed", o.filed(), "complaints", o.complaints(), "review", o.review(),
                    "duplicates", o.duplicates(), "rejected", o.rejected(), "reasons", "  " + String.join("\n  ", o.rejectReasons(intake.messages())),
                    "report", "outbox/rejects/" + fileName + ".rejects.csv") + "\n";
        }
        String reason = SpreadsheetIntake.describe(error, intake.messages());
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        if (run != null) intake.fail(run, reason);
        tally.failed();
        LOG.error(intake.messages().text("log.intake.not-filed", "file", fileName, "reason", reason));
        return SpreadsheetIntake.failureNote(intake.messages(), fileName, reason, intake.messages().text("ingest.error.todo.survey"));
    }

    /**
     * A POST of survey JSON: 201 when responses were filed or queued for review, 200 when all were
     * received before, 400 when the body is not JSON or every response was rejected, 401 without a
     * credential ({@link SurveyCredentials}), 429 past the source's limit, 413 when the body is larger than
     * allowed, 500 when the archive could not be written — always with a JSON body. The answer is the same
     * whether a respondent is a customer or not (filed and waiting for review are both "received").
     */
    public void receive(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null) body = new byte[0];
        // the answer in the caller's Accept-Language, else dangan.locale's
        Messages said = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class),
                intake.messages().language());
        SurveyCredentials.Verdict who = credentials.check(exchange, body);
        if (who.source() == null) {
            if (who.status() == 401) exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
            LOG.info(intake.messages().text("log.api.answered", "method", "POST", "path", "/api/surveys", "status", String.valueOf(who.status()),
                    "message", who.error().in(intake.messages())));
            answer(exchange, who.status(), error(who.error().in(said)));
            return;
        }
        if (body.length > maxBodyBytes) {
            answer(exchange, 413, error(said.text("surveys.body.too-large", "bytes", body.length, "max", maxBodyBytes)));
            return;
        }
        IngestRun run = null;
        try {
            run = intake.open("survey", CHANNEL, "POST /api/surveys from " + who.source() + " " + Instant.now(), null, body.length);
            List<SurveyEntry> entries;
            try {
                entries = reader.read(body);
            } catch (SurveyFormatException e) {
                intake.fail(run, e.reason().in(intake.messages()));
                ObjectNode answer = error(e.reason().in(said));
                if (e.line() != null) answer.put("line", e.line()).put("column", e.column());
                answer.put("ingest", run.id());
                answer(exchange, 400, answer);
                return;
            }
            SurveyOutcome outcome = filing.file(run, entries);
            LOG.info(outcome.summary(run.name(), intake.messages()));
            ObjectNode answer = outcome.answer(json, said);
            int taken = outcome.filed() + outcome.review();
            if (outcome.rejected() > 0 && taken + outcome.duplicates() == 0) {
                SurveyProblem first = outcome.rejects().get(0).rejects().get(0);
                answer.put("error", first.reason().in(said)).put("field", first.column());
                answer(exchange, 400, answer);
            } else {
                answer(exchange, taken > 0 ? 201 : 200, answer);
            }
        } catch (Exception e) {
            String reason = SpreadsheetIntake.describe(e, intake.messages());
            if (run != null) intake.fail(run, reason);
            // the reason is for the service log only: it may be SQL text naming tables, constraints and values
            String reference = java.util.UUID.randomUUID().toString().substring(0, 8);
            LOG.error(intake.messages().text("log.surveys.post-failed", "reference", reference, "reason", reason), e);
            answer(exchange, 500, error(said.text("surveys.body.not-filed", "reference", reference)));
        }
    }

    private ObjectNode error(String message) {
        return json.createObjectNode().put("error", message);
    }

    static void answer(Exchange exchange, int status, ObjectNode body) {
        dangan.access.Api.onlyOwnHeaders(exchange.getMessage()); // request headers and query parameters are not echoed back
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, JSON);
        exchange.getMessage().setBody(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
