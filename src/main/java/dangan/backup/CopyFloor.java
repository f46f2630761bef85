package dangan.backup;

import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.OutputStream;
import java.sql.Connection;

/**
 * The floor a backup is measured against (bench/backup.sh): the bytes of a plain COPY of the same
 * tables in the same snapshot, written nowhere — no framing, compression or encryption.
 */
public final class CopyFloor {

    private CopyFloor() {
    }

    public static long bytes(DataSource dataSource) throws Exception {
        long[] bytes = {0};
        OutputStream nowhere = new OutputStream() {
            @Override
            public void write(int b) {
                bytes[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes[0] += len;
            }
        };
        try (Connection c = dataSource.getConnection()) {
            Snapshot.begin(c);
            try {
                Catalog catalog = Catalog.read(c);
                for (Catalog.Table t : catalog.dataTables()) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyOut(Dump.copyOut(t), nowhere);
                }
            } finally {
                Snapshot.end(c);
            }
        }
        return bytes[0];
    }
}
