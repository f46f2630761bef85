package dangan.backup;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import javax.sql.DataSource;
import java.io.OutputStream;

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
        HandleWork.snapshot(dataSource, h -> {
            CopyManager copy = h.getConnection().unwrap(PGConnection.class).getCopyAPI();
            for (Catalog.Table t : Catalog.read(h).dataTables()) copy.copyOut(Dump.copyOut(t), nowhere);
            return null;
        });
        return bytes[0];
    }
}
