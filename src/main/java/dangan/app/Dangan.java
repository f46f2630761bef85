package dangan.app;

import dangan.access.UserCommand;
import dangan.audit.AuditCommand;
import dangan.backup.BackupCommand;
import dangan.config.Settings;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.notify.NotifyCommand;
import dangan.privacy.KeysCommand;
import dangan.tiers.TiersCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT, descriptionKey = "cli.help.option.config")
    Path config = Path.of("config", "application.properties");

    @Option(names = "--once", descriptionKey = "cli.help.option.once")
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
        Dangan root = new Dangan();
        CommandLine cli = new CommandLine(root);
        legacy(cli, root, "review", ReviewCommand.USAGE, (s, a) -> ReviewCommand.run(s, a, out), "list", "accept", "reject", "file");
        legacy(cli, root, "ingest", IngestCommand.USAGE, (s, a) -> IngestCommand.run(s, a, out), "check", "list", "revert", "original");
        cli.addSubcommand("run-job", new RunJobCommand(root::commandSettings, out, err));
        legacy(cli, root, "tiers", TiersCommand.USAGE, (s, a) -> TiersCommand.run(s, a, out), "list", "show", "approve", "reject");
        legacy(cli, root, "notifications", NotifyCommand.USAGE, (s, a) -> NotifyCommand.run(s, a, out), "list", "retry");
        cli.addSubcommand("user", UserCommand.commandLine(root::commandSettings, System.in, out, err));
        legacy(cli, root, "audit", AuditCommand.USAGE, (s, a) -> AuditCommand.run(s, a, out, err), "verify");
        legacy(cli, root, "keys", KeysCommand.USAGE, (s, a) -> KeysCommand.run(s, a, out), "status", "reseal");
        legacy(cli, root, "backup", BackupCommand.USAGE, (s, a) -> BackupCommand.backup(s, a, out, err));
        legacy(cli, root, "restore", BackupCommand.USAGE, (s, a) -> BackupCommand.restore(s, a, out, err));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // an expected refusal (configuration, port, database, key, a rule) is its one line; anything else also its trace, in the log
            if (!(e instanceof IllegalStateException || e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    || e instanceof dangan.rules.RuleException)) {
                org.slf4j.LoggerFactory.getLogger(Dangan.class).error("Unexpected failure", e);
            }
            line.getErr().println(Messages.of(language(args)).text("cli.failed", "problem", oneLine(e)));
            return FAILED;
        });
        cli.setResourceBundle(new HelpTexts(language(args)));
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

    /** A command that reads its own arguments; picocli gives it help, typo suggestions and its sub-commands' names. */
    interface Run {
        int run(Settings settings, List<String> args) throws Exception;
    }

    @Command(mixinStandardHelpOptions = true)
    static final class Passthrough implements Callable<Integer> {
        private final Dangan root;
        private final Run run;
        private final List<String> prefix;
        private final PrintStream err;

        @Parameters(paramLabel = "ARGS", arity = "0..*", hidden = true)
        List<String> args = new ArrayList<>();

        Passthrough(Dangan root, Run run, List<String> prefix, PrintStream err) {
            this.root = root;
            this.run = run;
            this.prefix = prefix;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            List<String> all = new ArrayList<>(prefix);
            all.addAll(args);
            return run.run(root.commandSettings(), all);
        }
    }

    /** A parent command whose sub-commands do the work: alone, it shows its usage. */
    @Command(mixinStandardHelpOptions = true)
    static final class Group implements Callable<Integer> {
        @CommandLine.Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return USAGE;
        }
    }

    private static void legacy(CommandLine cli, Dangan root, String name, String usage, Run run, String... verbs) {
        CommandLine command;
        if (verbs.length == 0) {
            command = passthrough(root, run, List.of());
        } else {
            command = new CommandLine(new Group());
            for (String verb : verbs) {
                command.addSubcommand(verb, passthrough(root, run, List.of(verb)));
            }
        }
        command.getCommandSpec().usageMessage().footerHeading("%n").footer(usage.lines().map(String::strip)
                .filter(l -> !l.isEmpty()).map(l -> l.replace("%", "%%")).toArray(String[]::new));
        cli.addSubcommand(name, command);
    }

    private static CommandLine passthrough(Dangan root, Run run, List<String> prefix) {
        CommandLine line = new CommandLine(new Passthrough(root, run, prefix, System.err));
        line.getCommandSpec().parser().unmatchedOptionsArePositionalParams(true);
        return line;
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

    /** An exception as one line: its message, or its type when it has none. */
    static String oneLine(Throwable e) {
        String message = e.getMessage();
        return (message == null || message.isBlank() ? e.getClass().getSimpleName() : message).lines().findFirst().orElse("");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Dangan.class.getPackage().getImplementationVersion();
            return new String[] {"Dangan " + (version == null ? "(development build)" : version)};
        }
    }
}
