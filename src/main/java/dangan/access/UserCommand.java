package dangan.access;

import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code user add NAME --role ROLE | list | disable NAME | token NAME}: the administrator's
 * command line for staff (D-24). A token is printed once and never again.
 */
public final class UserCommand {

    public static final String USAGE = """
              user add NAME --role ROLE   create a user and print their API token (once)
                                          roles: front-desk, service, manager, keeper, auditor, admin
              user list                   users, roles, whether active, live tokens, last use
              user disable NAME           disable a user and revoke their tokens at once
              user token NAME             issue a further token for a user
              user password NAME          set the console password (asked twice; without a terminal,
                                          read from the first line of standard input)""";

    private UserCommand() {
    }

    /** Asked twice on a terminal; otherwise the first line of standard input (for scripts). Null when they differ. */
    private static char[] readPassword(String name, java.io.InputStream in, PrintStream err) throws java.io.IOException {
        java.io.Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("Console password for %s (at least %d characters): ", name, StaffDirectory.MIN_PASSWORD_LENGTH);
            char[] again = console.readPassword("Again: ");
            if (first == null || !java.util.Arrays.equals(first, again)) {
                err.println("The two passwords differ: nothing changed");
                return null;
            }
            return first;
        }
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
        return line == null ? new char[0] : line.toCharArray();
    }

    public static int run(Settings settings, List<String> args, PrintStream out, PrintStream err) throws Exception {
        return run(settings, args, System.in, out, err);
    }

    /** @param in where {@code user password} reads the password when there is no terminal */
    public static int run(Settings settings, List<String> args, java.io.InputStream in, PrintStream out, PrintStream err) throws Exception {
        String by = "cli:" + System.getProperty("user.name", "unknown");
        if (args.isEmpty()) {
            err.println("Usage:\n" + USAGE);
            return 64;
        }
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            StaffDirectory staff = new StaffDirectory(database.dataSource(), new AuditTrail(database.dataSource()));
            try {
                switch (args.get(0)) {
                    case "add" -> {
                        if (args.size() != 4 || !args.get(2).equals("--role")) {
                            err.println("Usage: user add NAME --role ROLE");
                            return 64;
                        }
                        String token = staff.addUser(args.get(1), Role.of(args.get(3)), by);
                        out.println("User " + args.get(1) + " (" + args.get(3) + ") created. API token — shown only now, keep it safe:");
                        out.println(token);
                    }
                    case "token" -> {
                        if (args.size() != 2) {
                            err.println("Usage: user token NAME");
                            return 64;
                        }
                        out.println("New API token for " + args.get(1) + " — shown only now:");
                        out.println(staff.issueToken(args.get(1), by));
                    }
                    case "disable" -> {
                        if (args.size() != 2) {
                            err.println("Usage: user disable NAME");
                            return 64;
                        }
                        staff.disable(args.get(1), by);
                        out.println("User " + args.get(1) + " disabled; their tokens no longer work.");
                    }
                    case "password" -> {
                        if (args.size() != 2) {
                            err.println("Usage: user password NAME");
                            return 64;
                        }
                        char[] password = readPassword(args.get(1), in, err);
                        if (password == null) return 65;
                        staff.setPassword(args.get(1), password, by);
                        java.util.Arrays.fill(password, ' ');
                        out.println("Console password of " + args.get(1) + " set; their open console sessions ended.");
                    }
                    case "list" -> {
                        out.printf("%-24s %-11s %-8s %-6s %-25s %s%n", "NAME", "ROLE", "ACTIVE", "TOKENS", "LAST USED", "CREATED BY");
                        for (StaffDirectory.StaffMember m : staff.list()) {
                            out.printf("%-24s %-11s %-8s %-6d %-25s %s%n", m.name(), m.role(), m.active() ? "yes" : "no",
                                    m.liveTokens(), m.lastUsed() == null ? "-" : m.lastUsed().toString(), m.createdBy());
                        }
                    }
                    default -> {
                        err.println("Unknown user command: " + args.get(0) + "\nUsage:\n" + USAGE);
                        return 64;
                    }
                }
                return 0;
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 65;
            }
        }
    }
}
