package dangan.intake;

import dangan.logs.LogFormat;
import org.slf4j.MDC;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.archive.ArchiveMerge;
import dangan.archive.LinesAlone;
import dangan.archive.MergeCounts;
import dangan.metrics.Metrics;
import dangan.archive.MergeOptions;
import dangan.archive.TierAtOpening;
import dangan.faults.FaultPoint;
import dangan.intake.read.RowHandler;
import dangan.privacy.SensitiveFields;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The one way lines get into the archive, whatever their source: open an ingest in the ledger,
 * then stream the source's lines through normalisation into staging (COPY) and merge them with
 * SQL — in one transaction, so a source is filed whole or not at all — and report what became
 * of every line. Every source ends in the same canonical record and the same merge step.
 */
public final class ArchiveIntake {

    private volatile Metrics metrics = Metrics.NONE;
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveIntake.class);

    /**
     * A source at least this big (bytes; about 80,000 lines) stages its lines in a temporary table of its own
     * transaction, named {@code intake_row} as the shared one and shaped like it, which the merge's statements then
     * find first (a session's temporary tables come first in the search path); it is dropped at the commit. Its
     * pages live in the session's own buffers: a million-line file's 290 MB of staged lines no longer pass through
     * the shared buffers, where PostgreSQL read them through a small ring and wrote them out again on every pass,
     * pushing the archive's pages out (issue 14: the backend wrote 254,348 pages itself against 124,319). The floor of
     * the benchmarks stages the same way. A smaller source keeps the shared table: creating one costs an ingest
     * milliseconds, and a mailbox of 1,000 mails is 1,000 ingests. ({@code like intake_row}: when it runs no temporary one
     * exists yet — the last was dropped with its transaction — so it names the shared table, in whatever schema the
     * archive is.)
     */
    static final long OWN_STAGING_BYTES = 8L << 20;
    private static final String OWN_STAGING = "create temporary table intake_row (like intake_row including all)"
            + " with (fillfactor = 45) on commit drop";
    /**
     * The table of one source's lines keeps the shared table's partial indexes (the later update rounds, the held values)
     * but not its primary key: its lines are one ingest's, numbered once each by the reader, and no step looks a big file's
     * line up by its number (they join the lines in bulk, or by {@code ctid}). Keeping the key cost the COPY of 1,000,000
     * lines 0.6 s of the server's 2.0 s (issue 14).
     */
    private static final String OWN_STAGING_UNKEYED = "alter table pg_temp.intake_row drop constraint intake_row_pkey";

    private final Jdbi jdbi;
    private final IngestLedger ledger;
    private final SensitiveFields sensitive;
    private final ColumnMap columns;
    private final ZoneId zone;
    private final int progressEvery;
    private final Set<String> lowTrustChannels;
    /** Every merge listener, in the order of its phase (then of registration); replaced whole on registration. */
    private volatile List<MergeListener> listeners = List.of();
    private final List<Map.Entry<MergeListener.Phase, MergeListener>> registered = new ArrayList<>();
    private volatile boolean strictConsent;
    private volatile Messages messages = Messages.of(Language.ZH);
    private volatile LongFunction<TierAtOpening> tierAtOpening;

    public ArchiveIntake(DataSource dataSource, SensitiveFields sensitive, ColumnMap columns, ZoneId zone, int progressEvery,
                         Set<String> lowTrustChannels) {
        this.lowTrustChannels = Set.copyOf(lowTrustChannels);
        this.jdbi = dataSource == null ? null : Db.jdbi(dataSource); // none: only the listeners' order (a test)
        this.ledger = new IngestLedger(dataSource);
        this.sensitive = sensitive;
        this.columns = columns;
        this.zone = zone;
        this.progressEvery = progressEvery;
    }

    /** Where the files, lines and ingest durations are counted (the service's registry; none unless set). */
    public void metrics(Metrics metrics) {
        this.metrics = metrics;
    }

    /** The metrics this intake counts into. */
    public Metrics metrics() {
        return metrics;
    }

    /** The messages of reject reasons, warnings and reports, in the configured language. */
    public Messages messages() {
        return messages;
    }

    /** The language of reject reasons and warnings ({@code dangan.locale}; Chinese unless set). */
    public void language(Language language) {
        this.messages = Messages.of(language);
    }

    /**
     * Opens a ledger entry. With a checksum, content already ingested on the channel is
     * recognised: the run comes back as a duplicate (see {@link IngestRun#isDuplicateFile()}),
     * already finished, and must not be filed again.
     */
    public IngestRun open(String sourceType, String channel, String name, String checksum, long size) {
        String earlier = checksum == null ? null : ledger.findDone(channel, checksum);
        if (checksum != null) ledger.closeAbandoned(channel, checksum, messages.text("recovery.superseded"));
        long id = ledger.open(sourceType, channel, name, checksum, size, earlier != null);
        if (earlier != null) metrics.sameContentAgain(channel);
        return new IngestRun(id, channel, name, earlier, size);
    }

    /** Work a source does in the ingest's transaction just before it commits (e.g. advancing its watermark). */
    @FunctionalInterface
    public interface BeforeCommit {
        void run(Handle h);
    }

    /** Files every line of the source under the run; counts land on the run and in the ledger. */
    public void file(IngestRun run, RowSource source) throws Exception {
        file(run, source, h -> { });
    }

    /**
     * As {@link #file(IngestRun, RowSource)}, and runs {@code beforeCommit} in the same transaction
     * as the merge: both are committed, or neither.
     */
    public void file(IngestRun run, RowSource source, BeforeCommit beforeCommit) throws Exception {
        // every source's lines logged while filing carry the ingest and its name (the log's file and ingest fields)
        String outerFile = MDC.get(LogFormat.FILE);
        String outerIngest = MDC.get(LogFormat.INGEST);
        MDC.put(LogFormat.FILE, run.name());
        MDC.put(LogFormat.INGEST, String.valueOf(run.id()));
        try {
            fileInTransaction(run, source, beforeCommit);
        } finally {
            restore(LogFormat.FILE, outerFile);
            restore(LogFormat.INGEST, outerIngest);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) MDC.remove(key); else MDC.put(key, value);
    }

    private void fileInTransaction(IngestRun run, RowSource source, BeforeCommit beforeCommit) throws Exception {
        try (IssueSpool issues = new IssueSpool(run.id(), sensitive)) {
            jdbi.useTransaction(h -> {
                Staging staging = new Staging(h, run, issues);
                try {
                    stageAndMerge(h, run, source, staging, issues, false);
                    FaultPoint.reach("merged");
                    for (MergeListener listener : listeners) {
                        long started = System.nanoTime();
                        listener.merged(h, run);
                        LOG.debug("{}: {} took {} ms", run.name(), listener.getClass().getSimpleName(),
                                (System.nanoTime() - started) / 1_000_000);
                    }
                    IngestLedger.finish(h, run, staging.extraColumns());
                    beforeCommit.run(h);
                    FaultPoint.reach("before-commit");
                } catch (Exception e) {
                    staging.abort(); // a COPY in progress is cancelled before the transaction rolls back
                    throw e;
                }
            });
        }
        metrics.filed(run.channel(), Duration.ofMillis(run.elapsedMillis()), run.created(), run.updated(),
                run.duplicates(), run.review(), run.rejected());
    }

    /** Streams the source into staging and merges it, in the caller's transaction; counts land on the run. */
    private void stageAndMerge(Handle h, IngestRun run, RowSource source, Staging staging, IssueSpool issues,
                               boolean keepStaging) throws Exception {
        long started = System.nanoTime();
        String format = source.feed(staging);
        int staged = staging.finish();
        FaultPoint.reach("staged");
        run.format(format);
        issues.copyInto(h.getConnection()); // COPY, on the handle's connection
        LOG.debug("{}: {} lines read, normalised and staged in {} ms", run.name(), staged, (System.nanoTime() - started) / 1_000_000);
        boolean lowTrust = lowTrustChannels.contains(run.channel());
        LongFunction<TierAtOpening> tiers = tierAtOpening;
        MergeCounts merged = ArchiveMerge.merge(h, run.id(), MergeOptions.of(YearMonth.now(zone), messages.text("ingest.change.reason", "file", run.name()))
                .lowTrust(lowTrust).strictConsent(strictConsent).keepStaging(keepStaging).messages(messages).zone(zone)
                .tiers(tiers == null || lowTrust ? null : tiers.apply(run.id())).linesAlone(staging.linesAlone()));
        IssueColumns.name(h, run.id(), staging.layout, messages); // the merge's warnings name the column as the file did
        run.counts(staged + issues.rejectedLines(), merged.created(), merged.updated(), merged.duplicates(),
                merged.review(), issues.rejectedLines(), issues.warnings() + merged.notApplied());
        if (!run.reconciles()) {
            throw new IllegalStateException("counts do not reconcile for " + run.name() + ": " + run.summary(Messages.of(Language.EN)));
        }
    }

    /** Reads what a check found, inside the check's transaction, before it is rolled back. */
    @FunctionalInterface
    public interface CheckReader {
        /**
         * @param layout    the file's headings as recognised, or null when the file could not be read that far
         * @param notFiled  why the file as a whole would not be filed (unreadable, no customer columns), or null
         */
        void read(Handle h, IngestRun run, ColumnMap.Layout layout, String notFiled) throws Exception;
    }

    /**
     * A check: the source is read, normalised, staged and merged exactly as {@link #file} would, on a
     * channel's rules (its low-trust mark, strict consent, tiers at opening), then {@code reader} sees the
     * outcome of every line and every field change while they are still staged — and the transaction is
     * rolled back. Nothing is filed, numbered (archive serials do not advance), notified (the merge
     * listeners do not run) or recorded in the ingest ledger. Content already filed on the channel is
     * reported as the duplicate filing would call it.
     */
    public IngestRun check(String channel, String name, String checksum, long size, RowSource source, CheckReader reader)
            throws Exception {
        String earlier = checksum == null ? null : ledger.findDone(channel, checksum);
        return jdbi.inTransaction(h -> {
            try {
                IngestRun run = new IngestRun(IngestLedger.openChecking(h, channel, name, checksum, size), channel, name, earlier, size);
                if (run.isDuplicateFile()) {
                    reader.read(h, run, null, null);
                    return run;
                }
                try (IssueSpool issues = new IssueSpool(run.id(), sensitive)) {
                    Staging staging = new Staging(h, run, issues);
                    try {
                        stageAndMerge(h, run, source, staging, issues, true);
                    } catch (FileRejectedException | dangan.intake.read.UnreadableFileException e) {
                        staging.abort();
                        reader.read(h, run, staging.layout, SpreadsheetIntake.describe(e, messages));
                        return run;
                    } catch (Exception e) {
                        staging.abort(); // a COPY in progress is cancelled before the transaction rolls back
                        throw e;
                    }
                    reader.read(h, run, staging.layout, null);
                    return run;
                }
            } finally {
                h.rollback(); // a check files nothing (Jdbi does not commit a transaction its work rolled back)
            }
        });
    }

    /** Writes the run's reject report ({@code <name>.rejects.csv}) into the folder. */
    public Path report(IngestRun run, Path folder) throws IOException {
        return jdbi.withHandle(h -> RejectReport.write(h, run.id(), folder, run.name(), messages));
    }

    /** Every issue of a run, in line order: what a reply to the sender lists. */
    public List<RowIssue> issues(IngestRun run) {
        return jdbi.withHandle(h -> RejectReport.issues(h, run.id()));
    }

    /**
     * {@code dangan.consent.strict}: sensitive values (health, full ID number) of a customer without a
     * recorded consent to sensitive data wait in the review queue instead of being filed.
     */
    public void strictConsent(boolean strict) {
        this.strictConsent = strict;
    }

    /**
     * The tiers flow's rules for giving new archives their tier as the merge opens them (asked once
     * per merge, with the ingest's id); the tiers listener tiers whatever the merge could not.
     */
    public void tierAtOpening(LongFunction<TierAtOpening> rules) {
        this.tierAtOpening = rules;
    }

    /** Adds work to run in every merge's transaction, after the merge and before the commit, in its phase. */
    public synchronized void onMerged(MergeListener.Phase phase, MergeListener listener) {
        registered.add(Map.entry(phase, listener));
        listeners = registered.stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue).toList();
    }

    /** The merge listeners in the order they run. */
    List<MergeListener> mergeListeners() {
        return listeners;
    }

    /**
     * Closes a run the database or the disk cut off as interrupted (nothing of it is filed; the file is
     * tried again); when the database is away too, the next attempt at the same content closes it.
     */
    public void interrupted(IngestRun run, String reason) {
        try {
            ledger.interrupt(run.id(), messages.text("recovery.retrying", "reason", reason));
        } catch (JdbiException e) {
            LOG.warn(messages.text("log.intake.interruption-unrecorded", "file", run.name(), "problem", String.valueOf(e.getMessage())));
        }
    }

    /** Marks a run failed with the reason a person will read. */
    public void fail(IngestRun run, String reason) {
        metrics.failed(run.channel());
        try {
            ledger.fail(run.id(), reason);
        } catch (JdbiException e) {
            LOG.error(messages.text("log.intake.failure-unrecorded", "file", run.name(), "problem", String.valueOf(e.getMessage())));
        }
    }

    /** Receives a source's lines and sends each to staging or to the issue spool. */
    private final class Staging implements RowHandler {
        private final Handle handle;
        private final IngestRun run;
        private final IssueSpool issues;
        private StagingWriter writer;
        private RowNormaliser normaliser;
        private String[] extraColumns = new String[0];
        private ColumnMap.Layout layout;
        private int lines;

        Staging(Handle handle, IngestRun run, IssueSpool issues) {
            this.handle = handle;
            this.run = run;
            this.issues = issues;
        }

        @Override
        public void header(List<String> headings) {
            ColumnMap.Layout layout = columns.layout(headings);
            this.layout = layout;
            if (!layout.has(Field.NAME) || !(layout.has(Field.MOBILE) || layout.has(Field.ID_NUMBER) || layout.has(Field.EMAIL))) {
                // the first row is named by what was recognised in it and by column numbers, never by its
                // text: in a file that is not a customer list (a key, a letter) the first row is its content
                throw FileRejectedException.of("dropfolder.header-unrecognised",
                        "columns", layout.headings().size(),
                        "recognised", layout.fields().entrySet().stream()
                                .sorted(Map.Entry.comparingByValue())
                                .map(f -> f.getKey().key() + " (" + (f.getValue() + 1) + ")").toList().toString(),
                        "unrecognised", layout.extra().keySet().stream().sorted().map(i -> i + 1).toList().toString());
            }
            extraColumns = layout.extra().values().toArray(String[]::new);
            if (extraColumns.length > 0) {
                java.util.Map<Boolean, List<String>> sensitive = java.util.Arrays.stream(extraColumns)
                        .collect(java.util.stream.Collectors.partitioningBy(ColumnMap::looksSensitive));
                LOG.info(messages.text("log.intake.extra-columns", "file", run.name(), "kept", String.join(", ", sensitive.get(false)),
                        "held", sensitive.get(true).isEmpty() ? "no" : "yes", "sensitive", String.join(", ", sensitive.get(true))));
            }
            normaliser = new RowNormaliser(layout, messages);
            if (run.size() >= OWN_STAGING_BYTES) {
                handle.execute(OWN_STAGING);
                handle.execute(OWN_STAGING_UNKEYED);
            }
            try {
                writer = new StagingWriter(handle.getConnection(), run.id(), sensitive, layout); // COPY on the handle's connection
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot start COPY into staging: " + e.getMessage(), e);
            }
            FaultPoint.reach("header");
        }

        @Override
        public void row(int lineNo, List<String> cells) {
            RowNormaliser.Result result = normaliser.normalise(lineNo, cells);
            if (!result.issues().isEmpty()) issues.add(result.issues(), cells);
            if (!result.rejected()) writer.write(result.row());
            FaultPoint.line(++lines);
            if (lines % progressEvery == 0) {
                LOG.info(messages.text("log.intake.progress", "file", run.name(), "lines", lines));
            }
        }

        int finish() throws IOException {
            if (writer == null) return 0;
            writer.close();
            return (int) writer.rows();
        }

        void abort() {
            if (writer != null) writer.abort();
        }

        String[] extraColumns() {
            return extraColumns;
        }

        /** What the staging saw when no two staged lines share a key and the skipped line numbers are known; else null. */
        LinesAlone linesAlone() {
            int[] gaps = writer == null || !writer.distinctKeys() ? null : writer.lineGaps();
            return gaps == null ? null : new LinesAlone(gaps);
        }
    }
}
