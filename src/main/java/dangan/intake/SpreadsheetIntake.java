package dangan.intake;

import dangan.logs.LogFormat;
import org.slf4j.MDC;
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

    public SpreadsheetIntake(ArchiveIntake intake, ReadLimits limits, Path rejectsFolder, IntakeTally tally) {
        this.intake = intake;
        this.limits = limits;
        this.rejectsFolder = rejectsFolder;
        this.tally = tally;
    }

    /**
     * A dropped spreadsheet, start to end: a file with the same content as one filed before changes
     * nothing and says so; any other is read, filed and reported. One summary line either way, logged
     * under the route's id like every line of that folder.
     */
    public void handle(Exchange exchange) throws Exception {
        open(exchange);
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        try (var file = MDC.putCloseable(LogFormat.FILE, run.name());
             var ingest = MDC.putCloseable(LogFormat.INGEST, String.valueOf(run.id()))) {
            if (!run.isDuplicateFile()) {
                ingest(exchange);
                report(exchange);
            }
            String route = exchange.getFromRouteId();
            (route == null ? LOG : LoggerFactory.getLogger(route)).info("{}", run.summary());
        }
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
        intake.report(exchange.getProperty(RUN, IngestRun.class), rejectsFolder);
    }

    /**
     * A file that failed as a whole: marks its ledger entry failed and returns the text of the
     * {@code .error.txt} kept beside it.
     */
    public String failure(Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String fileName = FileName.shown(exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class));
        String reason = describe(error);
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        if (run != null) intake.fail(run, reason);
        else intake.metrics().failed(exchange.getMessage().getHeader("DanganChannel", "registrations", String.class));
        tally.failed();
        LOG.error("{}: not filed — {}", fileName, reason);
        return failureNote(fileName, reason, "correct the file (or export it again as .xlsx or UTF-8 CSV) and drop it into the inbox again.");
    }

    /** The text of a {@code .error.txt} kept beside a file that was not filed. */
    public static String failureNote(String fileName, String reason, String whatToDo) {
        return "File: " + fileName + "\n"
                + "Result: not filed; nothing from this file is in the archive.\n"
                + "Reason: " + reason + "\n"
                + "What to do: " + whatToDo + " This copy is kept here unchanged.\n";
    }

    /** The reason a person reads: our own messages as they are, anything else with its root cause. */
    public static String describe(Throwable error) {
        if (error == null) return "unknown error";
        if (error instanceof UnreadableFileException || error instanceof FileRejectedException) {
            return error.getMessage();
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return error.getClass().getSimpleName() + ": " + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
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
