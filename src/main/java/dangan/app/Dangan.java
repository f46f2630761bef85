package dangan.app;

import dangan.access.UserCommand;
import dangan.config.Settings;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code dangan [--config FILE] [--once | COMMAND …]} (picocli): with no command the service runs
 * until stopped; {@code --once} processes what waits in the inboxes and exits; a command does its
 * one thing on the database and exits, starting no Camel, HTTP server or scheduler unless it needs
 * them. The answer goes to stdout, logs to stderr.
 *
 * <p>Exit codes, one set for every command: {@value #OK} done; {@value #FAILED} the command ran and
 * could not do (all of) what was asked, the reason on stderr; {@value #USAGE} the command line is
 * wrong, nothing was done; {@value #TIMED_OUT} {@code --once} gave up with files still waiting.
 * {@code restore} adds its own (see {@link dangan.backup.BackupFailure}).
 */
@Command(name = "dangan", mixinStandardHelpOptions = true, versionProvider = Dangan.Version.class,
        subcommands = CommandLine.HelpCommand.class, usageHelpAutoWidth = true)
public final class Dangan implements Callable<Integer> {

    public static final int OK = ExitCode.OK;
    public static final int FAILED = ExitCode.SOFTWARE;
    public static final int USAGE = ExitCode.USAGE;
    public static final int TIMED_OUT = 3;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT, descriptionKey = "config")
    Path config = Path.of("config", "application.properties");

    @Option(names = "--once", descriptionKey = "once")
    boolean once;

    private Settings settings;

    /**
     * The configuration named by {@code --config} (with the environment and -D overrides), read once
     * and checked before anything is started or created: a missing or unreadable file, or a value
     * that cannot be used, fails here with one line naming it.
     */
    Settings settings() {
        if (settings == null) {
            if (!Files.isRegularFile(config) || !Files.isReadable(config)) {
                throw new IllegalStateException(Messages.of(language(new String[] {"--config", config.toString()}))
                        .text("cli.config-missing", "file", config.toAbsolutePath().normalize().toString()));
            }
            Settings loaded = Settings.load(config, System.getenv(), System.getProperties());
            loaded.checkValues();
            dangan.logs.LogFormat.apply(loaded); // dangan.log.format: a command's log on stderr too, before it logs anything
            settings = loaded;
        }
        return settings;
    }

    /** The settings of a command: as {@link #settings()}, with the quick schema check (no Flyway when the schema is current). */
    Settings commandSettings() {
        return settings().with(Map.of(dangan.store.ArchiveDatabase.QUICK_SCHEMA_CHECK, "true"));
    }

    public static void main(String[] args) {
        System.exit(commandLine(args, System.out, System.err).execute(args));
    }

    /** The whole command tree, writing answers to {@code out} and problems to {@code err}. */
    public static CommandLine commandLine(String[] args, PrintStream out, PrintStream err) {
        return commandLine(new Dangan(), language(args), out, err);
    }

    /**
     * Runs one command line on these settings instead of a configuration file (tests, and whoever embeds
     * Dangan): the same parser, texts, exit codes and streams as {@code main}.
     */
    public static int run(Settings settings, List<String> args, PrintStream out, PrintStream err) {
        Dangan root = new Dangan();
        root.settings = settings;
        return commandLine(root, Language.of(settings), out, err).execute(args.toArray(String[]::new));
    }

    private static CommandLine commandLine(Dangan root, Language language, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(root);
        CommandContext context = new CommandContext(root::commandSettings, out, err);
        cli.addSubcommand("review", new ReviewCommand(context));
        cli.addSubcommand("ingest", new IngestCommand(context));
        cli.addSubcommand("run-job", new RunJobCommand(context));
        cli.addSubcommand("tiers", new TiersCommand(context));
        cli.addSubcommand("notifications", new NotificationsCommand(context));
        cli.addSubcommand("user", UserCommand.commandLine(root::commandSettings, System.in, out, err));
        cli.addSubcommand("audit", new AuditCommand(context));
        cli.addSubcommand("keys", new KeysCommand(context));
        cli.addSubcommand("backup", new BackupCommand(context));
        cli.addSubcommand("restore", new RestoreCommand(context));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        Messages messages = Messages.of(language);
        cli.setParameterExceptionHandler(new UsageErrors(messages));
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof dangan.rules.RuleException refused) {
                // a refusal of the rules (no such proposal, not a manager …): its reason in the reader's language
                line.getErr().println(messages.text("cli.failed", "problem", refused.message(messages)));
                return FAILED;
            }
            // an expected refusal (configuration, port, database, key) is its one line; anything else also its trace, in the log
            if (!(e instanceof IllegalStateException || e instanceof IllegalArgumentException || e instanceof java.io.IOException)) {
                org.slf4j.LoggerFactory.getLogger(Dangan.class).error(messages.text("log.app.unexpected"), e);
            }
            line.getErr().println(messages.text("cli.failed", "problem", dangan.i18n.FailureText.line(e, messages)));
            return FAILED;
        });
        cli.setResourceBundle(new HelpTexts(language));
        return cli;
    }

    /** The service, or {@code --once}. */
    @Override
    public Integer call() throws Exception {
        Settings settings = settings();
        if (once) {
            settings = DanganService.offTheServicePort(settings);
        }
        DanganService service = DanganService.start(settings);
        if (once) {
            try {
                return new OnceRun(service).drain(Duration.ofSeconds(settings.getInt("dangan.once.timeout-seconds", 3600)));
            } finally {
                service.close();
            }
        }
        service.awaitShutdown();
        return OK;
    }

    /**
     * The language of the command line: {@code dangan.locale} as -D, environment or in the
     * configuration file that {@code --config} names (read before the arguments are parsed, so help
     * and parse errors speak it too); Chinese when none says otherwise.
     */
    static Language language(String[] args) {
        String locale = System.getProperty(Language.KEY);
        if (locale == null) locale = System.getenv(Settings.environmentName(Language.KEY));
        if (locale == null) {
            Path file = Path.of("config", "application.properties");
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("--config")) file = Path.of(args[i + 1]);
            }
            if (Files.isReadable(file)) {
                try {
                    locale = Settings.load(file, Map.of(), new Properties()).get(Language.KEY);
                } catch (RuntimeException unreadable) {
                    locale = null; // said properly when the command reads it
                }
            }
        }
        try {
            return Language.of(locale);
        } catch (IllegalStateException unknown) {
            return Language.ZH; // the command names the bad value when it reads the configuration
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Dangan.class.getPackage().getImplementationVersion();
            return new String[] {"Dangan " + (version == null ? "(development build)" : version)};
        }
    }
}
