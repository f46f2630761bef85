package dangan.backup;

import dangan.config.Settings;
import dangan.store.ArchiveDatabase;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code backup}: what the scheduled job does, now. {@code restore FILE [--keyring PATH]}: the
 * backup into the configured, empty database — without starting the service.
 */
public final class BackupCommand {

    public static final String USAGE = """
              backup                            back up the archive now (to dangan.backup.folder), as the schedule does
              restore FILE [--keyring PATH]     restore a backup into the configured EMPTY database
                                                (keyring: keyring.dgk beside FILE unless named)""";

    private BackupCommand() {
    }

    public static int backup(Settings settings, List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("backup takes no arguments (the folder is dangan.backup.folder)\nUsage:\n" + USAGE);
            return BackupFailure.USAGE;
        }
        try (ArchiveDatabase db = ArchiveDatabase.open(settings)) {
            Backups.Result result = new Backups(db.dataSource(), BackupSettings.from(settings)).run();
            out.println(result.summary());
            return 0;
        } catch (BackupFailure e) {
            err.println(e.getMessage()); // says what failed, where, and that nothing partial was left
            return e.status();
        } catch (Exception e) {
            err.println("Backup failed: " + e.getMessage() + " — no backup file was written");
            return BackupFailure.FAILED;
        }
    }

    public static int restore(Settings settings, List<String> args, PrintStream out, PrintStream err) {
        Path file = null;
        Path keyring = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--keyring") && i + 1 < args.size()) {
                keyring = Path.of(args.get(++i));
            } else if (arg.startsWith("-") || file != null) {
                err.println("restore: unexpected '" + arg + "'\nUsage:\n" + USAGE);
                return BackupFailure.USAGE;
            } else {
                file = Path.of(arg);
            }
        }
        if (file == null) {
            err.println("restore needs the backup file\nUsage:\n" + USAGE);
            return BackupFailure.USAGE;
        }
        try {
            Restore.Result result = Restore.run(settings, file, keyring, out::println);
            out.println(result.summary());
            return 0;
        } catch (BackupFailure e) {
            err.println("Restore refused: " + e.getMessage());
            return e.status();
        } catch (Exception e) {
            err.println("Restore failed: " + e.getMessage() + " — nothing was restored");
            return BackupFailure.FAILED;
        }
    }
}
