package dangan.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A registration file of the fault trials and what "filed exactly once" means for it: {@code lines}
 * lines, each a new customer (mobile 1{prefix}{serial}) with one visit, every 500th line without a
 * mobile (rejected, so the reject report has rows). After any fault and a restart: one ingest
 * {@code done}, none {@code running}; the valid lines' customers and visits each once; the file in
 * {@code done/} once, never in {@code failed/}, no longer in the inbox; its reject report with every
 * rejected line, and no {@code .part} left beside it.
 */
record FiledOnce(String name, int prefix, int lines) {

    int rejected() {
        return lines / 500;
    }

    int valid() {
        return lines - rejected();
    }

    String mobilePrefix() {
        return "1" + prefix;
    }

    /** Writes the file beside the inbox and moves it in, as an administrator's copy does. */
    void drop(Path home) throws IOException {
        Path inbox = home.resolve("inbox").resolve("registrations");
        Files.createDirectories(inbox);
        StringBuilder csv = new StringBuilder("姓名,手机,消费金额,消费日期,服务项目\n");
        for (int i = 1; i <= lines; i++) {
            String mobile = i % 500 == 0 ? "" : mobilePrefix() + String.format("%08d", i);
            csv.append("客人").append(prefix).append('-').append(i).append(',').append(mobile)
                    .append(",").append(100 + i % 50).append(",2026-11-").append(String.format("%02d", 1 + i % 28)).append(",护理\n");
        }
        Path staging = Files.createTempFile(home, "copying-", ".tmp");
        Files.writeString(staging, csv, StandardCharsets.UTF_8);
        Files.move(staging, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** What is true of the file now, as one line; empty problems when it is filed exactly once. */
    List<String> problems(String jdbcUrl, Path home) throws SQLException, IOException {
        List<String> problems = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", dangan.store.ArchiveDatabase.storedPassword(home))) {
            long done = count(c, "select count(*) from ingest where source_name = ? and status = 'done'", name);
            long running = count(c, "select count(*) from ingest where source_name = ? and status = 'running'", name);
            long failed = count(c, "select count(*) from ingest where source_name = ? and status = 'failed'", name);
            long pending = count(c, "select count(*) from ingest where source_name = ? and report_pending", name);
            long customers = count(c, "select count(*) from customer where mobile like ?", mobilePrefix() + "%");
            long distinct = count(c, "select count(distinct mobile) from customer where mobile like ?", mobilePrefix() + "%");
            long visits = count(c, "select count(*) from consumption v join customer k on k.id = v.customer_id where k.mobile like ?",
                    mobilePrefix() + "%");
            if (done != 1) problems.add("ingests done " + done);
            if (running != 0) problems.add("ingests running " + running);
            if (failed != 0) problems.add("ingests failed " + failed);
            if (pending != 0) problems.add("reports pending " + pending);
            if (customers != valid() || distinct != valid()) problems.add("customers " + customers + " (distinct " + distinct + ") of " + valid());
            if (visits != valid()) problems.add("visits " + visits + " of " + valid());
        }
        Path inbox = home.resolve("inbox").resolve("registrations");
        if (Files.exists(inbox.resolve(name))) problems.add("still in the inbox");
        long inDone = copies(inbox.resolve("done"));
        long inFailed = copies(inbox.resolve("failed"));
        if (inDone != 1) problems.add("in done/ " + inDone + " times");
        if (inFailed != 0) problems.add("in failed/ " + inFailed + " times");
        Path report = home.resolve("outbox").resolve("rejects").resolve(name + ".rejects.csv");
        if (!Files.isRegularFile(report)) {
            problems.add("no reject report");
        } else {
            long rejectedRows = Files.readAllLines(report, StandardCharsets.UTF_8).stream().filter(l -> l.contains(",拒收,")).count(); // the outcome word of the default language
            if (rejectedRows != rejected()) problems.add("reject report lists " + rejectedRows + " of " + rejected() + " rejected lines");
        }
        if (Files.exists(home.resolve("outbox").resolve("rejects").resolve("." + name + ".rejects.csv.part"))) problems.add(".part left");
        return problems;
    }

    /** The trial's observation: what happened to the file, in one line. */
    String observed(List<String> problems) {
        return problems.isEmpty() ? "filed once (" + valid() + " customers, " + valid() + " visits, " + rejected()
                + " rejected in the report), done/ once, no ingest running" : String.join("; ", problems);
    }

    /** The copies of the file in {@code done/} still in clear (not yet sealed as {@code <time>-<name>.sealed}). */
    long clearOriginals(Path home) throws IOException {
        Path done = home.resolve("inbox").resolve("registrations").resolve("done");
        if (!Files.isDirectory(done)) return 0;
        try (Stream<Path> files = Files.walk(done)) {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith("-" + name)).count();
        }
    }

    private long copies(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return 0;
        try (Stream<Path> files = Files.walk(folder)) {
            // a filed original is sealed in done/ as <time>-<name>.sealed: one copy, sealed or not yet
            return files.map(Path::toString).filter(p -> p.endsWith("-" + name) || p.endsWith("-" + name + ".sealed"))
                    .map(p -> p.endsWith(".sealed") ? p.substring(0, p.length() - ".sealed".length()) : p).distinct().count();
        }
    }

    static long count(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Where the ingest of the file is now, as the database shows it: {@code waiting} (no ingest yet),
     * {@code copy} (lines streaming into staging), {@code merge} (another statement of the running
     * ingest), {@code committed} (done, the file still in the inbox), {@code moved} (done and gone
     * from the inbox), {@code interrupted}, or {@code db-down}.
     */
    String moment(String jdbcUrl, Path home) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", dangan.store.ArchiveDatabase.storedPassword(home))) {
            long done = count(c, "select count(*) from ingest where source_name = ? and status = 'done'", name);
            if (done > 0) {
                return Files.exists(home.resolve("inbox").resolve("registrations").resolve(name)) ? "committed" : "moved";
            }
            long running = count(c, "select count(*) from ingest where source_name = ? and status = 'running'", name);
            if (running == 0) return "waiting";
            long copying = count(c, """
                    select count(*) from pg_stat_activity
                    where application_name like 'dangan-%' and state = 'active' and query ilike 'copy%'""");
            return copying > 0 ? "copy" : "merge";
        } catch (SQLException e) {
            return "db-down";
        }
    }
}
