package dangan.intake;

import dangan.i18n.Messages;
import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.List;

/**
 * What a crash leaves behind, put right: at start, before the drop folders are watched, the ingests a
 * gone instance left {@code running} are closed as {@code interrupted} (their transaction died with
 * the instance's sessions: nothing of them is filed) and its claims on dropped files are released, so
 * a file still in the inbox is taken again. An instance is gone when no session of the database
 * carries its name ({@code application_name}, see {@code ArchiveDatabase}); claims and ingests record
 * the name of the instance that made them (migration V27). And a file filed whose reject report was
 * not written (a crash, a full disk or a database restart after the commit) gets it from the
 * database: at start and after every file.
 */
public final class IntakeRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeRecovery.class);
    /** The processor name of the drop folders' claims (DanganService.fileClaims). */
    public static final String CLAIMS = "dangan-drop-folders";
    private static final String GONE = """
            (instance is null or instance not in (select application_name from pg_stat_activity
                                                  where application_name is not null))""";

    private final DataSource dataSource;
    private final Path rejectsFolder;
    private final Messages messages;

    public IntakeRecovery(DataSource dataSource, Path rejectsFolder, Messages messages) {
        this.dataSource = dataSource;
        this.rejectsFolder = rejectsFolder;
        this.messages = messages;
    }

    /** Closes the ingests of gone instances as interrupted and releases their claims; returns the ingests closed. */
    public List<String> recoverCrashed() {
        Jdbi jdbi = Db.jdbi(dataSource);
        List<String> closed = jdbi.inTransaction(h -> {
            List<String> names = h.createQuery("""
                            select id, source_name, instance from ingest where status = 'running' and """ + GONE
                            + " order by id for update")
                    .map((rs, ctx) -> rs.getLong("id") + "\t" + rs.getString("source_name") + "\t" + rs.getString("instance"))
                    .list();
            for (String row : names) {
                String[] parts = row.split("\t", 3);
                h.createUpdate("""
                                update ingest set status = 'interrupted', error = :error, finished_at = clock_timestamp()
                                where id = :id""")
                        .bind("error", messages.text("recovery.interrupted", "instance", parts[2]))
                        .bind("id", Long.parseLong(parts[0])).execute();
            }
            return names.stream().map(row -> row.split("\t", 3)[1]).toList();
        });
        int released = releaseClaimsOfGone(dataSource, CLAIMS);
        for (String name : closed) {
            LOG.warn(messages.text("log.intake.recovered", "file", name));
        }
        if (released > 0) LOG.info(messages.text("log.intake.claims-released", "count", released));
        return closed;
    }

    /**
     * Releases the claims of {@code processor} (the drop folders', the mailbox's) that instances now gone (killed,
     * crashed) left in {@code camel_messageprocessed}: what they had claimed is taken again. How many.
     */
    public static int releaseClaimsOfGone(DataSource dataSource, String processor) {
        return Db.jdbi(dataSource).withHandle(h -> h.createUpdate(
                        "delete from camel_messageprocessed where processorname = :processor and " + GONE)
                .bind("processor", processor).execute());
    }

    /**
     * Releases the claims this instance still holds once its consumers have stopped (the delayed
     * releases after each file die with the consumers): a file dropped again under the same name is
     * taken by the instances still running.
     */
    public static void releaseClaimsOf(DataSource dataSource, String instance) {
        Db.jdbi(dataSource).useHandle(h -> h.createUpdate(
                        "delete from camel_messageprocessed where processorname = :processor and instance = :instance")
                .bind("processor", CLAIMS).bind("instance", instance).execute());
    }

    /** Writes the reject reports of filed files that lack theirs; returns how many. A failure is logged and left for the next call. */
    public int writePendingReports() {
        Jdbi jdbi = Db.jdbi(dataSource);
        List<Object[]> pending = jdbi.withHandle(h -> h.createQuery(
                        "select id, source_name from ingest where report_pending and status = 'done' order by id")
                .map((rs, ctx) -> new Object[]{rs.getLong("id"), rs.getString("source_name")}).list());
        int written = 0;
        for (Object[] row : pending) {
            long id = (Long) row[0];
            String name = (String) row[1];
            try {
                jdbi.useHandle(h -> RejectReport.write(h, id, rejectsFolder, name, messages));
                reported(id);
                written++;
                LOG.info(messages.text("log.intake.report-rewritten", "file", name, "report", rejectsFolder.resolve(name + ".rejects.csv").toString()));
            } catch (Exception e) {
                LOG.warn(messages.text("recovery.report-deferred", "file", name, "folder", rejectsFolder.toString(),
                        "reason", dangan.store.Outage.reason(e)));
                break;
            }
        }
        return written;
    }

    /** The run's report is written. */
    void reported(long ingestId) {
        Db.jdbi(dataSource).useHandle(h -> h.createUpdate("update ingest set report_pending = false where id = :id")
                .bind("id", ingestId).execute());
    }
}
