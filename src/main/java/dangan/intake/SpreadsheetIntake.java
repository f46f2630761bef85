package dangan.intake;

import dangan.faults.FaultPoint;
import dangan.logs.LogFormat;
import org.slf4j.MDC;
import dangan.i18n.FailureText;
import dangan.i18n.Localized;
import dangan.i18n.Messages;
import dangan.intake.read.ReadLimits;
import dangan.intake.read.ReadSummary;
import dangan.intake.read.SpreadsheetReader;
import dangan.intake.read.UnreadableFileException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.HexFormat;
import dangan.store.Outage;

/**
 * Drop-folder intake of spreadsheets (D-9): {@link #handle}, the step the drop-folder routes of
 * registrations and contracts call ({@link #open}, then {@link #ingest} and {@link #report} unless
 * the same file was filed before), and {@link #failure} when a file cannot be read at all. The
 * channel (registrations, contracts …) comes from the {@code DanganChannel} header.
 */
public final class SpreadsheetIntake {

    /** The exchange property holding the {@link IngestRun} of the file in hand. */
    public static final String RUN = "DanganIngest";

    private static final Logger LOG = LoggerFactory.getLogger(SpreadsheetIntake.class);

    private final ArchiveIntake intake;
    private final ReadLimits limits;
    private final Path rejectsFolder;
    private final IntakeTally tally;

    private final IntakeRecovery recovery;

    public SpreadsheetIntake(ArchiveIntake intake, ReadLimits limits, Path rejectsFolder, IntakeTally tally,
                             IntakeRecovery recovery) {
        this.intake = intake;
        this.limits = limits;
        this.rejectsFolder = rejectsFolder;
        this.tally = tally;
        this.recovery = recovery;
    }

    /**
     * A dropped spreadsheet, start to end: a file with the same content as one filed before changes
     * nothing and says so; any other is read, filed and reported. One summary line either way, logged
     * under the route's id like every line of that folder.
     */
    public void handle(Exchange exchange) throws Exception {
        exchange.removeProperty(RUN); // a redelivery (after an outage) starts again under a new ledger entry
        try {
            open(exchange);
        } catch (Exception e) {
            throw interruptedOr(e, null);
        }
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        try (var file = MDC.putCloseable(LogFormat.FILE, run.name());
             var ingest = MDC.putCloseable(LogFormat.INGEST, String.valueOf(run.id()))) {
            if (!run.isDuplicateFile()) {
                run.reportDue(true);
                try {
                    ingest(exchange);
                } catch (Exception e) {
                    throw interruptedOr(e, run);
                }
                // committed: from here on the file is filed, whatever happens to its report
                FaultPoint.reach("committed");
                try {
                    report(exchange);
                    FaultPoint.reach("reported");
                } catch (Exception e) {
                    LOG.warn(intake.messages().text("recovery.report-deferred", "file", run.name(), "folder",
                            rejectsFolder.toString(), "reason", Outage.reason(e)));
                }
            }
            String route = exchange.getFromRouteId();
            (route == null ? LOG : LoggerFactory.getLogger(route)).info("{}", run.summary(intake.messages()));
        }
        if (recovery != null) recovery.writePendingReports();
    }

    /**
     * A failure of the database or the disk becomes {@link IntakeInterrupted} (the run closed as
     * interrupted, the file tried again); anything else is returned as it is.
     */
    private Exception interruptedOr(Exception e, IngestRun run) {
        if (e instanceof UnreadableFileException || e instanceof FileRejectedException || !Outage.isOutage(e)) return e;
        String reason = describe(e, intake.messages());
        if (run != null) intake.interrupted(run, reason);
        LOG.warn(intake.messages().text("log.intake.interrupted", "named", run == null ? "no" : "yes", "file", run == null ? "" : run.name(),
                "reason", reason));
        return new IntakeInterrupted(reason, e);
    }

    /** Fingerprints the file and opens its ledger entry; the same content seen before is marked a duplicate. */
    public void open(Exchange exchange) throws IOException, SQLException {
        Path file = file(exchange);
        String channel = exchange.getMessage().getHeader("DanganChannel", "registrations", String.class);
        IngestRun run = intake.open("file", channel, FileName.shown(file.getFileName().toString()), sha256(file), Files.size(file));
        exchange.setProperty(RUN, run);
        if (run.isDuplicateFile()) tally.handled();
    }

    /** Reads, normalises, stages and merges the file in one transaction. */
    public void ingest(Exchange exchange) throws Exception {
        Path file = file(exchange);
        intake.file(exchange.getProperty(RUN, IngestRun.class), handler -> {
            ReadSummary summary = new SpreadsheetReader(limits).read(file, handler);
            return summary.format() + ", " + summary.encoding();
        });
        tally.handled();
    }

    /** Writes the file's reject report to the outbox. */
    public void report(Exchange exchange) throws IOException, SQLException {
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        intake.report(run, rejectsFolder);
        if (recovery != null) recovery.reported(run.id());
    }

    /**
     * A file that failed as a whole: marks its ledger entry failed and returns the text of the
     * {@code .error.txt} kept beside it.
     */
    public String failure(Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String fileName = FileName.shown(exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class));
        String reason = describe(error, intake.messages());
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        if (run != null) intake.fail(run, reason);
        else intake.metrics().failed(exchange.getMessage().getHeader("DanganChannel", "registrations", String.class));
        tally.failed();
        LOG.error(intake.messages().text("log.intake.not-filed", "file", fileName, "reason", reason));
        String path = exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class);
        boolean kept = path != null && Files.isRegularFile(Path.of(path));
        return failureNote(intake.messages(), fileName, reason, intake.messages().text("ingest.error.todo.spreadsheet"), kept);
    }

    /** The text of a {@code .error.txt} kept beside a file that was not filed, in the configured language. */
    public static String failureNote(Messages m, String fileName, String reason, String whatToDo) {
        return failureNote(m, fileName, reason, whatToDo, true);
    }

    /**
     * As {@link #failureNote(Messages, String, String, String)}: the file, that nothing of it was filed, the reason,
     * and what to do (a text of the same language); {@code kept} false when the file was no longer in the inbox to
     * be kept (another instance had moved it): the note does not promise a copy.
     */
    public static String failureNote(Messages m, String fileName, String reason, String whatToDo, boolean kept) {
        return m.text(kept ? "ingest.error.note" : "ingest.error.note.not-kept", "file", fileName, "reason", reason,
                "todo", whatToDo) + "\n";
    }

    /**
     * The reason a person reads, in the language of {@code messages}: our own reasons from the bundles (they
     * name line, column and what was expected); anything else by the kinds of error only — a library's
     * message may quote the file's content (a parser's "unexpected token '…'", a database's "invalid input:
     * '…'"), and the reason goes into the .error.txt and the ledger. The service log keeps the whole error.
     */
    public static String describe(Throwable error, Messages messages) {
        if (error == null) return messages.text("ingest.error.unknown");
        return FailureText.of(error, messages); // the kind of failure, never a library's class name
    }

    private static Path file(Exchange exchange) {
        return Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
    }

    /** SHA-256 of content, hex: how a re-dropped file is recognised under any name. */
    public static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
