package dangan.app;

import dangan.intake.ColumnMap;
import dangan.intake.IntakeTally;
import dangan.intake.SpreadsheetIntake;
import dangan.intake.read.ReadLimits;
import dangan.privacy.MasterKey;
import dangan.privacy.SensitiveFields;
import dangan.store.ArchiveDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;

/**
 * The running service: the archive store, the beans the routes call, and Camel with the YAML
 * routes from {@code routes/} (loaded from the file system so an operator can rewire them).
 */
public final class DanganService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DanganService.class);

    /** The drop folders, relative to DANGAN_HOME/inbox. */
    public static final List<String> INBOXES = List.of("registrations");

    private final Settings settings;
    private final ArchiveDatabase database;
    private final IntakeTally tally;
    private final Main camel;

    private DanganService(Settings settings, ArchiveDatabase database, IntakeTally tally, Main camel) {
        this.settings = settings;
        this.database = database;
        this.tally = tally;
        this.camel = camel;
    }

    public static DanganService start(Settings settings) throws Exception {
        Path home = settings.home();
        createFolders(home);
        ArchiveDatabase database = ArchiveDatabase.open(settings);
        try {
            SensitiveFields sensitive = new SensitiveFields(
                    MasterKey.resolve(settings.get("dangan.master-key"), home.resolve("data").resolve("master.key")));
            IntakeTally tally = new IntakeTally();
            SpreadsheetIntake intake = new SpreadsheetIntake(database.dataSource(), sensitive,
                    ColumnMap.load(Path.of(settings.get("dangan.columns", "config/columns.properties"))),
                    new ReadLimits(settings.getInt("dangan.intake.max-file-mb", 200) * 1024L * 1024L,
                            settings.getInt("dangan.intake.max-columns", 500), ReadLimits.defaults().maxCellChars()),
                    home.resolve("outbox").resolve("rejects"),
                    ZoneId.of(settings.get("dangan.timezone", "Asia/Shanghai")),
                    settings.getInt("dangan.intake.progress-every", 100_000), tally);

            Main main = new Main();
            main.bind("dataSource", database.dataSource());
            main.bind("spreadsheetIntake", intake);
            main.bind("intakeTally", tally);
            Properties props = new Properties();
            settings.effective().forEach(props::setProperty);
            props.setProperty("dangan.home", home.toString());
            main.setOverrideProperties(props);
            main.start();
            LOG.info("Dangan is running: drop CSV or XLSX files into {}", home.resolve("inbox").resolve("registrations"));
            return new DanganService(settings, database, tally, main);
        } catch (Exception e) {
            database.close();
            throw e;
        }
    }

    private static void createFolders(Path home) throws IOException {
        for (String inbox : INBOXES) {
            Files.createDirectories(home.resolve("inbox").resolve(inbox));
        }
        Files.createDirectories(home.resolve("outbox").resolve("rejects"));
        Files.createDirectories(home.resolve("data"));
    }

    public CamelContext camelContext() {
        return camel.getCamelContext();
    }

    public ArchiveDatabase database() {
        return database;
    }

    public IntakeTally tally() {
        return tally;
    }

    public Settings settings() {
        return settings;
    }

    /** Blocks until the JVM is asked to stop (Ctrl+C, SIGTERM). */
    public void awaitShutdown() throws InterruptedException {
        Object stop = new Object();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close();
            synchronized (stop) {
                stop.notifyAll();
            }
        }, "dangan-shutdown"));
        synchronized (stop) {
            stop.wait();
        }
    }

    @Override
    public synchronized void close() {
        if (camel.isStopped()) return;
        try {
            camel.stop();
        } catch (RuntimeException e) {
            LOG.warn("Camel did not stop cleanly: {}", e.getMessage());
        }
        database.close();
    }
}
