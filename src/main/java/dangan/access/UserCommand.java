package dangan.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.store.ArchiveDatabase;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code user add | list | disable | token | password}: the administrator's command line for staff
 * (D-24). A token is printed once, alone on stdout, and never again; what it is goes to stderr.
 * Exit codes: 0 done, 1 refused (the reason on stderr), 2 a wrong command line.
 */
@Command(name = "user", mixinStandardHelpOptions = true)
public final class UserCommand implements Callable<Integer> {

    private static final int OK = CommandLine.ExitCode.OK;
    private static final int FAILED = CommandLine.ExitCode.SOFTWARE;

    private final Supplier<Settings> settings;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private UserCommand(Supplier<Settings> settings, InputStream in, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** The {@code user} command, reading the configuration when it runs. */
    public static CommandLine commandLine(Supplier<Settings> settings, InputStream in, PrintStream out, PrintStream err) {
        CommandLine line = new CommandLine(new UserCommand(settings, in, out, err));
        line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return line;
    }

    /** Runs {@code user ARGS…} on these settings (tests, and scripts through {@code dangan user}). */
    public static int run(Settings settings, List<String> args, InputStream in, PrintStream out, PrintStream err) {
        CommandLine line = commandLine(() -> settings, in, out, err);
        line.setExecutionExceptionHandler((e, l, parsed) -> {
            err.println(e.getMessage());
            return FAILED;
        });
        return line.execute(args.toArray(String[]::new));
    }

    public static int run(Settings settings, List<String> args, PrintStream out, PrintStream err) {
        return run(settings, args, System.in, out, err);
    }

    /** {@code user} alone: its usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    private interface Work {
        int run(StaffDirectory staff, Messages messages) throws Exception;
    }

    private int withStaff(Work work) throws Exception {
        Settings settings = this.settings.get();
        Messages messages = Messages.of(settings);
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            StaffDirectory staff = new StaffDirectory(database.dataSource(), AuditTrail.configured(settings, database.dataSource()));
            try {
                return work.run(staff, messages);
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return FAILED;
            }
        }
    }

    private static String actor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    @Command(name = "add", mixinStandardHelpOptions = true)
    int add(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
            @Option(names = "--role", required = true, paramLabel = "ROLE", descriptionKey = "user.role") String role) throws Exception {
        return withStaff((staff, messages) -> {
            String token = staff.addUser(name, Role.of(role), actor());
            err.println(messages.text("cli.user.added", "name", name, "role", role));
            out.println(token);
            return OK;
        });
    }

    @Command(name = "token", mixinStandardHelpOptions = true)
    int token(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name) throws Exception {
        return withStaff((staff, messages) -> {
            String token = staff.issueToken(name, actor());
            err.println(messages.text("cli.user.token-issued", "name", name));
            out.println(token);
            return OK;
        });
    }

    @Command(name = "disable", mixinStandardHelpOptions = true)
    int disable(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name) throws Exception {
        return withStaff((staff, messages) -> {
            staff.disable(name, actor());
            out.println(messages.text("cli.user.disabled", "name", name));
            return OK;
        });
    }

    @Command(name = "password", mixinStandardHelpOptions = true)
    int password(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name) throws Exception {
        return withStaff((staff, messages) -> {
            char[] password = readPassword(name, messages);
            if (password == null) return FAILED;
            try {
                staff.setPassword(name, password, actor());
            } finally {
                Arrays.fill(password, ' ');
            }
            out.println(messages.text("cli.user.password-set", "name", name));
            return OK;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true)
    int list(@Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        return withStaff((staff, messages) -> {
            List<StaffDirectory.StaffMember> members = staff.list();
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ArrayNode array = mapper.createArrayNode();
                for (StaffDirectory.StaffMember m : members) {
                    ObjectNode o = array.addObject();
                    o.put("name", m.name()).put("role", m.role().label()).put("active", m.active()).put("tokens", m.liveTokens())
                            .put("last_used", m.lastUsed() == null ? null : m.lastUsed().toString())
                            .put("created_at", m.createdAt() == null ? null : m.createdAt().toString()).put("created_by", m.createdBy());
                }
                out.println(mapper.writeValueAsString(array));
                return OK;
            }
            out.printf("%-24s %-11s %-8s %-6s %-25s %s%n", "NAME", "ROLE", "ACTIVE", "TOKENS", "LAST USED", "CREATED BY");
            for (StaffDirectory.StaffMember m : members) {
                out.printf("%-24s %-11s %-8s %-6d %-25s %s%n", m.name(), m.role(), m.active() ? "yes" : "no",
                        m.liveTokens(), m.lastUsed() == null ? "-" : m.lastUsed().toString(), m.createdBy());
            }
            return OK;
        });
    }

    /** Asked twice on a terminal; otherwise the first line of standard input (for scripts). Null when they differ. */
    private char[] readPassword(String name, Messages messages) throws java.io.IOException {
        java.io.Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("%s", messages.text("cli.user.password-ask", "name", name,
                    "min", StaffDirectory.MIN_PASSWORD_LENGTH));
            char[] again = console.readPassword("%s", messages.text("cli.user.password-again"));
            if (first == null || !Arrays.equals(first, again)) {
                err.println(messages.text("cli.user.password-differ"));
                return null;
            }
            return first;
        }
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        return line == null ? new char[0] : line.toCharArray();
    }
}
