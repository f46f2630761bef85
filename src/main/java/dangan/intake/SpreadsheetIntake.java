package dangan.intake;

import dangan.archive.ArchiveMerge;
import dangan.archive.MergeCounts;
import dangan.intake.read.ReadLimits;
import dangan.intake.read.ReadSummary;
import dangan.intake.read.RowHandler;
import dangan.intake.read.SpreadsheetReader;
import dangan.intake.read.UnreadableFileException;
import dangan.privacy.SensitiveFields;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.List;

/**
 * Drop-folder intake of registration forms, daily reports and archive cards (D-9): the steps
 * the {@code registrations} route calls, in order — {@link #open}, {@link #ingest},
 * {@link #report} — and {@link #failure} when a file cannot be read at all.
 * The file's lines are read as a stream, normalised, COPYed into staging and merged with SQL
 * in one transaction: a file is filed whole or not at all.
 */
public final class SpreadsheetIntake {

    /** The exchange property holding the {@link IngestRun} of the file in hand. */
    public static final String RUN = "DanganIngest";

    private static final Logger LOG = LoggerFactory.getLogger(SpreadsheetIntake.class);

    private final DataSource dataSource;
    private final IngestLedger ledger;
    private final SensitiveFields sensitive;
    private final ColumnMap columns;
    private final ReadLimits limits;
    private final Path rejectsFolder;
    private final ZoneId zone;
    private final int progressEvery;
    private final IntakeTally tally;

    public SpreadsheetIntake(DataSource dataSource, SensitiveFields sensitive, ColumnMap columns, ReadLimits limits,
                             Path rejectsFolder, ZoneId zone, int progressEvery, IntakeTally tally) {
        this.dataSource = dataSource;
        this.ledger = new IngestLedger(dataSource);
        this.sensitive = sensitive;
        this.columns = columns;
        this.limits = limits;
        this.rejectsFolder = rejectsFolder;
        this.zone = zone;
        this.progressEvery = progressEvery;
        this.tally = tally;
    }

    /** Fingerprints the file and opens its ledger entry; the same content seen before is marked a duplicate. */
    public void open(Exchange exchange) throws IOException, SQLException {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        String channel = exchange.getMessage().getHeader("DanganChannel", "registrations", String.class);
        String checksum = sha256(file);
        String earlier = ledger.findDone(channel, checksum);
        long id = ledger.open("file", channel, file.getFileName().toString(), checksum, Files.size(file), earlier != null);
        exchange.setProperty(RUN, new IngestRun(id, file, checksum, earlier));
        if (earlier != null) tally.handled();
    }

    /** Reads, normalises, stages and merges the file in one transaction, then closes its ledger entry. */
    public void ingest(Exchange exchange) throws Exception {
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (IssueSpool issues = new IssueSpool(run.id(), sensitive)) {
                Staging staging = new Staging(c, run, issues);
                ReadSummary summary = new SpreadsheetReader(limits).read(run.file(), staging);
                int staged = staging.finish();
                run.format(summary.format() + ", " + summary.encoding());
                issues.copyInto(c);
                MergeCounts merged = ArchiveMerge.merge(c, run.id(), YearMonth.now(zone), "intake of " + run.fileName());
                run.counts(staged + issues.rejectedLines(), merged.created(), merged.updated(), merged.duplicates(),
                        issues.rejectedLines(), issues.warnings() + merged.conflicts());
                if (!run.reconciles()) {
                    throw new IllegalStateException("counts do not reconcile for " + run.fileName() + ": " + run.summary());
                }
                IngestLedger.finish(c, run, staging.extraColumns());
                c.commit();
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
        tally.handled();
    }

    /** Writes the file's reject report to the outbox. */
    public void report(Exchange exchange) throws IOException, SQLException {
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        try (Connection c = dataSource.getConnection()) {
            RejectReport.write(c, run.id(), rejectsFolder, run.fileName());
        }
    }

    /**
     * A file that failed as a whole: marks its ledger entry failed and returns the text of the
     * {@code .error.txt} kept beside it.
     */
    public String failure(Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String fileName = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        String reason = describe(error);
        IngestRun run = exchange.getProperty(RUN, IngestRun.class);
        if (run != null) {
            try {
                ledger.fail(run.id(), reason);
            } catch (SQLException e) {
                LOG.error("Could not record the failure of {} in the ingest ledger: {}", fileName, e.getMessage());
            }
        }
        tally.failed();
        LOG.error("{}: not filed — {}", fileName, reason);
        return "File: " + fileName + "\n"
                + "Result: not filed; nothing from this file is in the archive.\n"
                + "Reason: " + reason + "\n"
                + "What to do: correct the file (or export it again as .xlsx or UTF-8 CSV) and drop it into the inbox again."
                + " This copy is kept here unchanged.\n";
    }

    private static String describe(Exception error) {
        if (error == null) return "unknown error";
        if (error instanceof UnreadableFileException || error instanceof FileRejectedException) {
            return error.getMessage();
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return error.getClass().getSimpleName() + ": " + (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Receives the file's rows from the reader and sends each to staging or to the issue spool. */
    private final class Staging implements RowHandler {
        private final Connection connection;
        private final IngestRun run;
        private final IssueSpool issues;
        private StagingWriter writer;
        private RowNormaliser normaliser;
        private String[] extraColumns = new String[0];
        private int lines;

        Staging(Connection connection, IngestRun run, IssueSpool issues) {
            this.connection = connection;
            this.run = run;
            this.issues = issues;
        }

        @Override
        public void header(List<String> headings) {
            ColumnMap.Layout layout = columns.layout(headings);
            if (!layout.has(Field.NAME) || !(layout.has(Field.MOBILE) || layout.has(Field.ID_NUMBER) || layout.has(Field.EMAIL))) {
                throw new FileRejectedException("the header row (" + String.join(", ", layout.headings())
                        + ") has no column for the customer's name (姓名/name) and for a way to identify them"
                        + " (手机/mobile, 身份证号/ID number, 邮箱/email); is this a registration file? Column names are"
                        + " listed in config/columns.properties");
            }
            extraColumns = layout.extra().values().toArray(String[]::new);
            if (extraColumns.length > 0) {
                LOG.info("{}: columns kept as extra attributes: {}", run.fileName(), String.join(", ", extraColumns));
            }
            normaliser = new RowNormaliser(layout);
            try {
                writer = new StagingWriter(connection, run.id(), sensitive);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot start COPY into staging: " + e.getMessage(), e);
            }
        }

        @Override
        public void row(int lineNo, List<String> cells) {
            RowNormaliser.Result result = normaliser.normalise(lineNo, cells);
            if (!result.issues().isEmpty()) issues.add(result.issues(), cells);
            if (!result.rejected()) writer.write(result.row());
            if (++lines % progressEvery == 0) {
                LOG.info("{}: {} lines read", run.fileName(), lines);
            }
        }

        int finish() throws IOException {
            if (writer == null) return 0;
            writer.close();
            return (int) writer.rows();
        }

        String[] extraColumns() {
            return extraColumns;
        }
    }

}
