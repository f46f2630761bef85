package dangan.app;

import dangan.access.AccessFlow;
import dangan.access.Role;
import dangan.access.RoleViews;
import dangan.supervision.SupervisionFlow;
import dangan.consent.ConsentFlow;
import dangan.rights.RightsFlow;
import dangan.backup.BackupsFlow;
import dangan.config.Settings;
import dangan.contracts.ContractsFlow;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.i18n.Language;
import dangan.intake.ArchiveIntake;
import dangan.intake.ColumnMap;
import dangan.access.IngestsApi;
import dangan.audit.AuditTrail;
import dangan.i18n.Language;
import dangan.intake.DropGate;
import dangan.intake.OwnerOnly;
import dangan.intake.SealedOriginals;
import dangan.intake.SkippedNames;
import dangan.intake.FileCheck;
import dangan.intake.IngestRevert;
import dangan.intake.FileClaims;
import dangan.i18n.Messages;
import dangan.intake.IntakeRecovery;
import dangan.intake.IntakeTally;
import dangan.intake.SpreadsheetIntake;
import dangan.intake.read.ReadLimits;
import dangan.jobs.JobFailures;
import dangan.jobs.JobRuns;
import dangan.jobs.Scheduling;
import dangan.mail.MailFlow;
import dangan.notify.NotifyFlow;
import dangan.reminders.RemindersFlow;
import dangan.privacy.SensitiveFields;
import dangan.store.ArchiveDatabase;
import dangan.surveys.SurveysFlow;
import dangan.tiers.TiersFlow;
import dangan.logs.LogFormat;
import dangan.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.main.Main;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The running service: the archive store, the shared intake, each flow's beans, and Camel with
 * the YAML routes from {@code routes/} (loaded from the file system so an operator can rewire them).
 */
public final class DanganService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DanganService.class);

    private final Settings settings;
    private final ArchiveDatabase database;
    private final IntakeTally tally;
    private final List<Flow> flows;
    private final Main camel;

    private final Scheduler scheduler;

    private DanganService(Settings settings, ArchiveDatabase database, IntakeTally tally, List<Flow> flows, Main camel,
                          Scheduler scheduler) {
        this.scheduler = scheduler;
        this.settings = settings;
        this.database = database;
        this.tally = tally;
        this.flows = flows;
        this.camel = camel;
    }

    /** Every source and schedule Dangan runs. */
    private static List<Flow> allFlows() {
        // the merge listeners of these flows run in the order of their phase (MergeListener.Phase), not of this list
        return List.of(new AccessFlow(), new RegistrationsFlow(), new CheckFlow(), new ContractsFlow(), new SurveysFlow(), new MailFlow(),
                new TiersFlow(), new NotifyFlow(), new RemindersFlow(), new SupervisionFlow(), new RightsFlow(),
                new ConsentFlow(), new BackupsFlow(), new dangan.retention.RetentionFlow(), new dangan.console.ConsoleFlow(), new dangan.operations.OperationsFlow(),
                new dangan.health.HealthFlow(), new dangan.metrics.MetricsFlow());
    }

    public static DanganService start(Settings settings) throws Exception {
        LogFormat.apply(settings); // dangan.log.format: plain or json, before anything is logged
        StartupCheck.check(settings); // before anything is created: folders, database, master key
        Path home = settings.home();
        List<Flow> flows = allFlows();
        createFolders(home, flows);
        ArchiveDatabase database = ArchiveDatabase.open(settings);
        try {
            SensitiveFields sensitive = SensitiveFields.configured(settings, database.dataSource());
            IntakeTally tally = new IntakeTally();
            // one registry for Camel's route metrics and Dangan's own (camel.metrics.enabled finds it by name)
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Metrics metrics = new Metrics(registry);
            ArchiveIntake intake = archiveIntake(settings, database, sensitive);
            intake.metrics(metrics);

            Main main = new Main();
            main.bind("dataSource", database.dataSource());
            main.bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
            // the HTTP server's Vert.x (camel-platform-http-vertx takes the VertxOptions bound here) resolves no files on the
            // class path: that needs a vertx-cache-<uuid> folder under java.io.tmpdir, which a killed process left behind
            main.bind("vertxOptions", new VertxOptions().setFileSystemOptions(
                    new FileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false)));
            main.bind("intakeTally", tally);
            main.bind("sensitiveFields", sensitive);
            main.bind("fileClaims", fileClaims(database));
            main.bind("dropGate", new DropGate(intake, tally, Messages.of(settings)));
            main.bind("skippedNames", new SkippedNames(Messages.of(settings)));
            SealedOriginals originals = sealedOriginals(settings, database, sensitive);
            originals.catchUp(); // what a crash left in clear in done/, sealed before any consumer starts
            main.bind("sealedOriginals", originals);
            QuartzComponent quartz = Scheduling.component(settings, database.dataSource());
            main.bind("quartz", quartz);
            main.bind("jobRuns", new JobRuns(database.dataSource(), metrics, Messages.of(settings))); // an EventNotifier: camel-main picks it up
            main.bind("jobFailures", JobFailures.of(settings)); // a failed firing: retried or not, one log line (routes/jobs.yaml)
            // what a crash left: ingests of gone instances closed as interrupted, their claims released (the
            // file is taken again), missing reject reports written — before any consumer starts
            IntakeRecovery recovery = new IntakeRecovery(database.dataSource(), home.resolve("outbox").resolve("rejects"),
                    Messages.of(settings));
            recovery.recoverCrashed();
            recovery.writePendingReports();
            main.bind("spreadsheetIntake", new SpreadsheetIntake(intake, readLimits(settings),
                    home.resolve("outbox").resolve("rejects"), tally, recovery));
            FileCheck check = fileCheck(settings, intake);
            main.bind("fileCheck", check);
            // the intake ledger through the API: check, list, revert (routes/ingests.yaml)
            // the one audit trail (keyed with the master key); a log from before the keyed chain gets its cut-over marker now
            AuditTrail audit = AuditTrail.configured(settings, database.dataSource());
            audit.cutOver();
            main.bind("auditTrail", audit);
            main.bind("ingestsApi", new IngestsApi(new IngestRevert(database.dataSource(), audit), check,
                    audit, home.resolve("outbox").resolve("rejects"), Language.of(settings)));
            RoleViews views = RoleViews.from(settings);
            FlowContext context = new FlowContext(settings, database.dataSource(), sensitive, intake, tally, main::bind, metrics, audit,
                    role -> views.labels(Role.of(role)));
            for (Flow flow : flows) {
                flow.bind(context);
            }
            Properties props = new Properties();
            settings.effective().forEach(props::setProperty);
            props.setProperty(ROUTES_PATTERN, routesIncludePattern(settings));
            props.setProperty("dangan.home", home.toString());
            dangan.access.Transport.configure(settings, props); // HTTPS from a PKCS#12 keystore, when configured
            main.setOverrideProperties(props);

            main.start();
            LOG.info(Messages.of(settings).text("log.app.running", "folder", home.resolve("inbox").resolve("registrations").toString()));
            return new DanganService(settings, database, tally, flows, main, quartz.getScheduler());
        } catch (Exception e) {
            database.close();
            throw e;
        }
    }

    /** The shared intake as the configuration sets it up (columns, zone, low-trust channels, strict consent). */
    static ArchiveIntake archiveIntake(Settings settings, ArchiveDatabase database, SensitiveFields sensitive) {
        ArchiveIntake intake = new ArchiveIntake(database.dataSource(), sensitive,
                ColumnMap.load(settings.path("dangan.columns", "columns.properties")),
                settings.zone(),
                settings.getInt("dangan.intake.progress-every", 100_000),
                Set.copyOf(List.of(settings.get("dangan.trust.low-channels", "").split("\\s*,\\s*"))));
        intake.strictConsent(settings.getBoolean("dangan.consent.strict", false));
        intake.language(Language.of(settings));
        return intake;
    }

    /** The filed originals in done/, sealed, kept dangan.intake.keep-originals-days (default 90). */
    static SealedOriginals sealedOriginals(Settings settings, ArchiveDatabase database, SensitiveFields sensitive) {
        return new SealedOriginals(database.dataSource(), sensitive,
                dangan.audit.AuditTrail.configured(settings, database.dataSource()), settings.home(),
                settings.getInt("dangan.intake.keep-originals-days", 90), Messages.of(settings));
    }

    static ReadLimits readLimits(Settings settings) {
        return ReadLimits.of(settings);
    }

    /** Check before filing (inbox/check, ingest check): reports beside the reject reports, in the configured language. */
    static FileCheck fileCheck(Settings settings, ArchiveIntake intake) {
        return new FileCheck(intake, readLimits(settings), settings.home().resolve("outbox").resolve("rejects"),
                settings.get("dangan.check.channel", "registrations"), Messages.of(settings));
    }

    /**
     * The settings for a run that takes no HTTP requests (--once, run-job, benchmarks): its
     * endpoints go to a free port, so it never clashes with a service running beside it.
     */
    public static Settings offTheServicePort(Settings settings) throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return settings.with(Map.of("dangan.http.port", String.valueOf(free.getLocalPort())));
        }
    }

    private static final String ROUTES_PATTERN = "camel.main.routes-include-pattern";

    /**
     * {@code camel.main.routes-include-pattern} with each {@code file:} folder made absolute as
     * {@link Settings#path} reads paths (relative in the configuration file: to its folder), so the
     * routes are found whatever the working directory.
     */
    static String routesIncludePattern(Settings settings) {
        List<String> patterns = new java.util.ArrayList<>();
        for (String pattern : settings.get(ROUTES_PATTERN, "file:../routes/*.yaml").split(",")) {
            pattern = pattern.strip();
            if (pattern.startsWith("file:")) {
                Path glob = Path.of(pattern.substring("file:".length()));
                Path folder = settings.resolve(ROUTES_PATTERN, glob.getParent() == null ? "." : glob.getParent().toString());
                pattern = "file:" + folder.resolve(glob.getFileName().toString());
            }
            patterns.add(pattern);
        }
        return String.join(",", patterns);
    }

    /** The folder of the YAML routes: the one {@code camel.main.routes-include-pattern} names first. */
    static Path routesFolder(Settings settings) {
        String first = routesIncludePattern(settings).split(",")[0];
        Path glob = Path.of(first.startsWith("file:") ? first.substring("file:".length()) : first);
        return glob.getParent();
    }

    /** Claims on dropped files, shared through the database by every instance watching the same folders. */
    private static FileClaims fileClaims(ArchiveDatabase database) {
        JdbcMessageIdRepository claims = new JdbcMessageIdRepository(database.dataSource(), IntakeRecovery.CLAIMS);
        claims.setCreateTableIfNotExists(false); // the table comes from migration V4
        return new FileClaims(claims);
    }

    private static void createFolders(Path home, List<Flow> flows) throws IOException {
        for (Flow flow : flows) {
            for (String inbox : flow.inboxes()) {
                Path folder = Files.createDirectories(home.resolve("inbox").resolve(inbox));
                // what was dropped, kept: owner-only (the drop folder itself stays as the administrator made it)
                OwnerOnly.folder(folder.resolve("done"));
                OwnerOnly.folder(folder.resolve("failed"));
            }
        }
        OwnerOnly.folder(home.resolve("outbox").resolve("rejects"));
        OwnerOnly.folder(home.resolve("data"));
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

    public List<Flow> flows() {
        return flows;
    }

    /**
     * Blocks until the service is asked to stop (SIGTERM, Ctrl+C), stops it in its own order, and ends
     * the process. The JVM runs its shutdown hooks all at once — the embedded PostgreSQL's own hook
     * would stop the server under the file in hand — so the signals are taken here instead: first
     * Camel (the consumers stop taking files; the file in hand is finished, or rolled back and left
     * in the inbox, within {@code camel.main.shutdown-timeout}), then the scheduler, then the pool,
     * then the embedded server; only then does the JVM exit (the hooks find nothing left to stop).
     */
    public void awaitShutdown() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        SignalHandler stop = signal -> new Thread(() -> {
            LOG.info(Messages.of(settings).text("log.app.stopping", "signal", signal.getName()));
            close();
            stopped.countDown();
        }, "dangan-stop").start();
        Signal.handle(new Signal("TERM"), stop);
        Signal.handle(new Signal("INT"), stop);
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "dangan-shutdown")); // any other way out
        stopped.await();
        System.exit(0);
    }

    @Override
    public synchronized void close() {
        if (camel.isStopped()) return;
        try {
            camel.stop();
        } catch (RuntimeException e) {
            LOG.warn(Messages.of(settings).text("log.app.camel-not-stopped", "problem", String.valueOf(e.getMessage())));
        }
        try {
            scheduler.shutdown(true); // ours, not Camel's: it must stop before the pool it uses closes
        } catch (SchedulerException e) {
            LOG.warn(Messages.of(settings).text("log.app.scheduler-not-stopped", "problem", String.valueOf(e.getMessage())));
        }
        try {
            IntakeRecovery.releaseClaimsOf(database.dataSource(), database.instance());
        } catch (RuntimeException e) {
            LOG.warn(Messages.of(settings).text("log.app.claims-not-released", "problem", String.valueOf(e.getMessage())));
        }
        database.close();
    }
}
