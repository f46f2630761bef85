package dangan.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The PostgreSQL client tools the benchmarks compare with (psql, pg_dump): whether they are installed, and
 * a run of one against the embedded server, which takes password (SCRAM) connections only — the password of
 * {@code data/pg.password} goes to the tool in its environment ({@code PGPASSWORD}), never on its command line.
 */
final class Psql {

    private Psql() {
    }

    /** Whether {@code command} is an executable on the PATH. */
    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }

    /** Runs the tool with the server's password ({@code null}: none), its output shown or discarded; fails unless it exits 0. */
    static void run(List<String> command, String password, boolean showOutput) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(showOutput ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.DISCARD);
        if (password != null) builder.environment().put("PGPASSWORD", password);
        Process p = builder.start();
        if (p.waitFor() != 0) throw new IllegalStateException("failed: " + String.join(" ", command));
    }
}
