package dangan.backup;

import dangan.config.Settings;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code keyring.dgk} beside the backups: every customer's data keys ({@code customer_key}, each
 * already sealed by the master key) and the destruction records ({@code destruction_record}),
 * sealed like a backup and replaced atomically. Backups never hold the keys (D-31,
 * crypto-shredding): once a destruction has rewritten the keyring, no backup made before can
 * give back the destroyed customer's sensitive fields, and a restore removes that customer.
 *
 * <p>Call {@link #rewrite(DataSource, Settings)} after a destruction's transaction has committed
 * (it reads the committed archive). Rewrites and backups queue on a PostgreSQL advisory lock, so
 * an older snapshot never replaces a newer keyring, also across instances.
 */
public final class Keyring {

    public static final String FILE_NAME = "keyring.dgk";
    /** pg_advisory_lock key of keyring writers ("dgkeyrng"). */
    static final long LOCK = 0x64676b6579726e67L;

    /** What the keyring now holds: the number of customer keys and of destruction records. */
    public record Written(Path file, long keys, long destructions) {
    }

    private Keyring() {
    }

    /** Rewrites the keyring of the configured backup folder ({@code dangan.backup.folder}). */
    public static Written rewrite(DataSource dataSource, Settings settings) {
        BackupSettings config = BackupSettings.from(settings);
        return rewrite(dataSource, config.folder(), config.masterKey());
    }

    /** Rewrites {@code folder/keyring.dgk} from the committed archive, sealed with the master key. */
    public static Written rewrite(DataSource dataSource, Path folder, byte[] masterKey) {
        Path file = folder.resolve(FILE_NAME);
        try (Handle lock = Db.jdbi(dataSource).open()) {
            // a session lock taken before the snapshot: the writer after us reads a snapshot as new as ours or newer
            lock.createQuery("select pg_advisory_lock(:lock)::text").bind("lock", LOCK).mapTo(String.class).one();
            try {
                return HandleWork.snapshot(dataSource, h -> {
                    Catalog catalog = Catalog.read(h);
                    List<Catalog.Table> tables = new ArrayList<>();
                    for (String name : Catalog.KEYRING_TABLES) {
                        Catalog.Table t = catalog.table(name);
                        if (t == null) throw new IllegalStateException("The archive has no table " + name + " (migration V11)");
                        tables.add(t);
                    }
                    SealedDump.Written w = SealedDump.write(h, catalog, tables, new Sealing(masterKey), Sealing.Kind.KEYRING, file, true);
                    return new Written(file, w.rows().get("customer_key"), w.rows().get("destruction_record"));
                });
            } finally {
                lock.createQuery("select pg_advisory_unlock(:lock)").bind("lock", LOCK).mapTo(Boolean.class).one();
            }
        } catch (SQLException | IOException | JdbiException e) {
            throw new IllegalStateException("Cannot write the keyring " + file + ": " + e.getMessage()
                    + " — until it is written, restoring a backup would not know of the latest destructions or keys", e);
        }
    }
}
