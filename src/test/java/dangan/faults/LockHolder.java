package dangan.faults;

import dangan.archive.ArchiveLock;
import dangan.config.Settings;
import dangan.store.ArchiveDatabase;
import dangan.store.Db;

import java.nio.file.Path;
import java.util.Map;

/**
 * A stand-in for a merge that runs long (the statistics trap of issue 15: one statement for minutes):
 * opens the archive store as the service does (same pool, same session settings), takes the archive
 * lock and runs a ten-minute statement in that transaction. The trial kills this process with -9.
 */
public final class LockHolder {

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load(Path.of("config", "application.properties"), Map.of(), System.getProperties());
        ArchiveDatabase database = ArchiveDatabase.open(settings, false);
        Db.jdbi(database.dataSource()).useTransaction(h -> {
            ArchiveLock.hold(h);
            System.out.println("holding the archive lock");
            System.out.flush();
            h.createQuery("select pg_sleep(600)").mapTo(String.class).one();
        });
    }
}
