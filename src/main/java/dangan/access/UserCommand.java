package dangan.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.i18n.TextTable;
import dangan.rules.RuleException;
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
import java.time.OffsetDateTime;
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
            StaffDirectory staff = StaffDirectory.configured(settings, database.dataSource(), AuditTrail.configured(settings, database.dataSource()));
            try {
                return work.run(staff, messages);
            } catch (RuleException e) {
                err.println(e.message(messages));
                return FAILED;
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return FAILED;
            }
        }
    }

    /** Thrown when a changing command names nobody with {@code --by}: a usage error, nothing changed. */
    private static final class NoActor extends RuntimeException {
        NoActor(String message) {
            super(message);
        }
    }

    /**
     * Who a changing command acts for: {@code --by NAME}, an active administrator (or, for
     * {@code user password}, the user themselves). Without {@code --by} only the very first
     * administrator may be added, recorded as the operating-system user ({@code os:NAME}).
     */
    private String actor(StaffDirectory staff, Messages messages, String by, String self, boolean firstAdmin) {
        if (by == null) {
            if (firstAdmin && !staff.anyActive(StaffDirectory.STAFF_ADMIN)) return "os:" + System.getProperty("user.name", "unknown");
            throw new NoActor(messages.text("cli.user.by-required"));
        }
        return staff.actor(by, by.equals(self) ? null : StaffDirectory.STAFF_ADMIN);
    }

    private int changing(Work work) throws Exception {
        try {
            return withStaff(work);
        } catch (NoActor e) {
            err.println(e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
    }

    private void printToken(Messages messages, String key, String name, StaffDirectory.IssuedToken token) {
        err.println(messages.text(key, "name", name, "id", String.valueOf(token.id()),
                "expires", token.expiresAt() == null ? "-" : token.expiresAt().atZoneSameInstant(settings.get().zone()).toLocalDate().toString()));
        out.println(token.token());
    }

    @Command(name = "add", mixinStandardHelpOptions = true)
    int add(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
            @Option(names = "--role", required = true, paramLabel = "ROLE", descriptionKey = "user.role") String role,
            @Option(names = "--by", paramLabel = "ADMIN", descriptionKey = "user.by") String by) throws Exception {
        return changing((staff, messages) -> {
            Role given = role(messages, role);
            String actor = actor(staff, messages, by, null, given == StaffDirectory.STAFF_ADMIN);
            StaffDirectory.IssuedToken token = staff.addUserWithToken(name, given, actor);
            printToken(messages, "cli.user.added", name, token);
            return OK;
        });
    }

    @Command(name = "token", mixinStandardHelpOptions = true)
    int token(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
              @Option(names = "--rotate", descriptionKey = "user.rotate") boolean rotate,
              @Option(names = "--revoke", paramLabel = "ID", descriptionKey = "user.revoke") Long revoke,
              @Option(names = "--by", paramLabel = "ADMIN", descriptionKey = "user.by") String by) throws Exception {
        if (rotate && revoke != null) {
            err.println(Messages.of(settings.get()).text("cli.user.rotate-or-revoke"));
            return CommandLine.ExitCode.USAGE;
        }
        return changing((staff, messages) -> {
            String actor = actor(staff, messages, by, null, false);
            if (revoke != null) {
                staff.revokeToken(name, revoke, actor);
                out.println(messages.text("cli.user.token-revoked", "name", name, "id", String.valueOf(revoke)));
                return OK;
            }
            printToken(messages, rotate ? "cli.user.token-rotated" : "cli.user.token-issued", name, staff.issueToken(name, rotate, actor));
            return OK;
        });
    }

    @Command(name = "tokens", mixinStandardHelpOptions = true)
    int tokens(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
               @Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        return withStaff((staff, messages) -> {
            List<StaffDirectory.TokenInfo> tokens = staff.tokens(name);
            OffsetDateTime now = OffsetDateTime.now();
            if (json) {
                return printJson(array -> tokens.forEach(t -> array.addObject().put("id", t.id()).put("live", t.live(now))
                        .put("created_at", text(t.createdAt())).put("expires_at", text(t.expiresAt()))
                        .put("last_used", text(t.lastUsed())).put("revoked_at", text(t.revokedAt())).put("revoked_by", t.revokedBy())));
            }
            TextTable table = TextTable.of(messages, "cli.column.id", "cli.user.column.live", "cli.user.column.issued",
                    "cli.user.column.expires", "cli.user.column.last-used", "cli.user.column.revoked");
            for (StaffDirectory.TokenInfo t : tokens) {
                table.row("#" + t.id(), messages.text(t.live(now) ? "cli.yes" : "cli.no"), t.createdAt(), t.expiresAt(), t.lastUsed(),
                        t.revokedAt() == null ? null : t.revokedAt() + " (" + t.revokedBy() + ")");
            }
            table.print(out);
            return OK;
        });
    }

    @Command(name = "disable", mixinStandardHelpOptions = true)
    int disable(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
                @Option(names = "--by", paramLabel = "ADMIN", descriptionKey = "user.by") String by) throws Exception {
        return changing((staff, messages) -> {
            String actor = actor(staff, messages, by, null, false);
            if (name.equals(actor)) throw new IllegalArgumentException(messages.text("cli.user.not-yourself"));
            staff.disable(name, actor);
            out.println(messages.text("cli.user.disabled", "name", name));
            return OK;
        });
    }

    @Command(name = "enable", mixinStandardHelpOptions = true)
    int enable(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
               @Option(names = "--by", paramLabel = "ADMIN", descriptionKey = "user.by") String by) throws Exception {
        return changing((staff, messages) -> {
            staff.enable(name, actor(staff, messages, by, null, false));
            out.println(messages.text("cli.user.enabled", "name", name));
            return OK;
        });
    }

    @Command(name = "role", mixinStandardHelpOptions = true)
    int role(@Parameters(index = "0", paramLabel = "NAME", descriptionKey = "user.name") String name,
             @Parameters(index = "1", paramLabel = "ROLE", descriptionKey = "user.role") String role,
             @Option(names = "--by", paramLabel = "ADMIN", descriptionKey = "user.by") String by) throws Exception {
        return changing((staff, messages) -> {
            Role given = role(messages, role);
            String actor = actor(staff, messages, by, null, false);
            if (name.equals(actor)) throw new IllegalArgumentException(messages.text("cli.user.not-yourself"));
            staff.changeRole(name, given, actor);
            out.println(messages.text("cli.user.role-changed", "name", name, "role", given.label()));
            return OK;
        });
    }

    @Command(name = "password", mixinStandardHelpOptions = true)
    int password(@Parameters(paramLabel = "NAME", descriptionKey = "user.name") String name,
                 @Option(names = "--by", paramLabel = "NAME", descriptionKey = "user.by-password") String by) throws Exception {
        return changing((staff, messages) -> {
            String actor = actor(staff, messages, by, name, false);
            char[] password = readPassword(name, messages);
            if (password == null) return FAILED;
            try {
                staff.setPassword(name, password, actor);
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
                return printJson(array -> members.forEach(m -> array.addObject().put("name", m.name()).put("role", m.role().label())
                        .put("active", m.active()).put("tokens", m.liveTokens()).put("last_used", text(m.lastUsed()))
                        .put("created_at", text(m.createdAt())).put("created_by", m.createdBy())));
            }
            TextTable table = TextTable.of(messages, "cli.column.name", "cli.user.column.role", "cli.user.column.active",
                    "cli.user.column.tokens", "cli.user.column.last-used", "cli.user.column.created-by");
            for (StaffDirectory.StaffMember m : members) {
                table.row(m.name(), m.role().label(), messages.text(m.active() ? "cli.yes" : "cli.no"), m.liveTokens(), m.lastUsed(), m.createdBy());
            }
            table.print(out);
            return OK;
        });
    }

    /** A role as typed: one of the labels, or refused naming them. */
    private static Role role(Messages messages, String label) {
        try {
            return Role.of(label);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(messages.text("cli.user.unknown-role", "role", label, "roles", Role.labels()));
        }
    }

    /** {@code --json}: one JSON array on stdout, its rows added by {@code rows}. */
    private int printJson(java.util.function.Consumer<ArrayNode> rows) throws com.fasterxml.jackson.core.JsonProcessingException {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode array = mapper.createArrayNode();
        rows.accept(array);
        out.println(mapper.writeValueAsString(array));
        return OK;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
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
