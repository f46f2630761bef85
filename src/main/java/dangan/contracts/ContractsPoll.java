package dangan.contracts;

import com.zaxxer.hikari.HikariDataSource;
import dangan.intake.ArchiveIntake;
import dangan.intake.IngestRun;
import dangan.intake.IntakeTally;
import dangan.intake.SpreadsheetIntake;
import dangan.store.Db;
import org.apache.camel.Service;
import org.jdbi.v3.core.result.ResultIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One poll of the contracts system (D-10), called by the timer route {@code contracts-poll}:
 * reads the rows changed since the watermark, files them as one ingest (source type and channel
 * {@code contracts}) and advances the watermark in the same transaction. A poll with no new rows
 * writes nothing. When the source is off (no {@code dangan.contracts.db.url}) it does nothing.
 */
public final class ContractsPoll implements Service, Closeable {

    static final String SOURCE = "contracts";
    private static final Logger LOG = LoggerFactory.getLogger(ContractsPoll.class);

    private final Supplier<HikariDataSource> connect;
    private final String where;
    private HikariDataSource contracts;
    private final ContractsQuery query;
    private final int fetchSize;
    private final WatermarkStore watermarks;
    private final ArchiveIntake intake;
    private final IntakeTally tally;
    private final Path rejectsFolder;
    private final ZoneId zone;
    private final Clock clock;
    private final AtomicBoolean polledOnce = new AtomicBoolean();

    /** The source is off when {@code connect} is null. */
    ContractsPoll(Supplier<HikariDataSource> connect, String where, ContractsQuery query, int fetchSize, WatermarkStore watermarks,
                  ArchiveIntake intake, IntakeTally tally, Path rejectsFolder, ZoneId zone, Clock clock) {
        this.connect = connect;
        this.where = where;
        this.query = query;
        this.fetchSize = fetchSize;
        this.watermarks = watermarks;
        this.intake = intake;
        this.tally = tally;
        this.rejectsFolder = rejectsFolder;
        this.zone = zone;
        this.clock = clock;
    }

    public boolean enabled() {
        return connect != null;
    }

    /** Opens the connection pool; the bean processor of route contracts-poll starts and stops this bean with the route. */
    @Override
    public synchronized void start() {
        if (enabled() && contracts == null) contracts = connect.get();
    }

    /** Closes the connection pool (after the poll in hand). */
    @Override
    public synchronized void stop() {
        if (contracts != null) {
            Db.forget(contracts);
            contracts.close();
        }
        contracts = null;
    }

    /** True once a poll has finished (filed, found nothing, or failed) since start-up. */
    /** A poll's one log line, as people read it (the same line a dropped file gets). */
    public String summary(IngestRun run) {
        return run.summary(intake.messages());
    }

    public boolean polledOnce() {
        return polledOnce.get();
    }

    /**
     * Polls once. Returns the ingest when rows were filed (its {@code summary()} is the log line),
     * null when the source is off, nothing changed, or the poll failed (logged, watermark kept).
     */
    public synchronized IngestRun poll() {
        if (!enabled()) return null;
        start();
        Watermark from = null;
        try {
            from = watermarks.load();
            return pollFrom(from);
        } catch (Exception e) {
            String reason = SpreadsheetIntake.describe(e, intake.messages());
            tally.failed();
            LOG.error(intake.messages().text("log.contracts.poll-failed", "where", String.valueOf(where), "reason", reason,
                    "read", from == null ? "no" : "yes", "watermark", from == null ? "" : WatermarkStore.describe(from)));
            return null;
        } finally {
            polledOnce.set(true);
        }
    }

    private IngestRun pollFrom(Watermark from) throws Exception {
        // in a transaction: the driver streams the result with a fetch size only with auto-commit off
        return Db.jdbi(contracts).inTransaction(h -> {
            ContractRows columns = new ContractRows(zone); // learns the query's columns as it runs
            try (ResultIterator<ContractRows.Row> rows = h.createQuery(query.sql()).setFetchSize(fetchSize)
                    .bind(ContractsQuery.SINCE, from.lastSeen())
                    .map(columns).iterator()) {
                ContractRows.Row first = nextNew(rows, from);
                if (first == null) {
                    LOG.debug("contracts poll: no contract changed since {}", WatermarkStore.describe(from));
                    return null;
                }
                return file(columns.header(), rows, first, from);
            } finally {
                h.rollback(); // only read: the rows are filed in the archive's own transaction, or the poll failed
            }
        });
    }

    /** Files the new rows as one ingest and advances the watermark in the same transaction. */
    private IngestRun file(List<String> header, ResultIterator<ContractRows.Row> rows, ContractRows.Row first, Watermark from)
            throws Exception {
        String name = "contracts poll " + Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
        IngestRun run = intake.open(SOURCE, SOURCE, name, null, 0);
        Watermark.Advance advance = new Watermark.Advance(from);
        try {
            intake.file(run, handler -> {
                handler.header(header);
                int line = 0;
                for (ContractRows.Row row = first; row != null; row = nextNew(rows, from)) {
                    advance.saw(row.updatedAt(), row.fingerprint());
                    handler.row(++line, row.cells());
                }
                return "contracts query";
            }, h -> watermarks.advance(h, from, advance.result(), run.id()));
        } catch (Exception e) {
            intake.fail(run, SpreadsheetIntake.describe(e, intake.messages()));
            throw e;
        }
        tally.handled();
        if (run.rejected() > 0 || run.warnings() > 0) {
            try {
                Path report = intake.report(run, rejectsFolder);
                LOG.warn(intake.messages().text("log.contracts.rejects", "name", name, "rejected", run.rejected(), "warnings", run.warnings(),
                        "report", String.valueOf(report)));
            } catch (Exception e) {
                LOG.error(intake.messages().text("log.contracts.report-failed", "name", name, "folder", String.valueOf(rejectsFolder),
                        "problem", SpreadsheetIntake.describe(e, intake.messages()), "ingest", String.valueOf(run.id())));
            }
        }
        return run;
    }

    /** The next row that an earlier poll has not filed. */
    private static ContractRows.Row nextNew(ResultIterator<ContractRows.Row> rows, Watermark from) {
        while (rows.hasNext()) {
            ContractRows.Row row = rows.next();
            if (!from.alreadyFiled(row.updatedAt(), row.fingerprint())) return row;
        }
        return null;
    }

    @Override
    public void close() {
        stop();
    }
}
