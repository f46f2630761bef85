package dangan.intake.read;

import dangan.i18n.Localized;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;

/**
 * Reads a registration spreadsheet, CSV or XLSX, as a stream of rows.
 *
 * <p>The format is judged from the content, never from the file name. CSV: encoding detected (BOM,
 * strict UTF-8, else GB18030), delimiter comma/tab/semicolon from the header line. XLSX: the first sheet
 * only. Rows are streamed; memory use does not grow with the number of rows. Thread-safe: one instance
 * may read several files at once.
 */
public final class SpreadsheetReader {

    private final ReadLimits limits;

    /** Creates a reader enforcing {@code limits}. */
    public SpreadsheetReader(ReadLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Streams the file; returns a summary; throws UnreadableFileException when the file as a whole cannot be read. */
    public ReadSummary read(Path file, RowHandler handler) throws UnreadableFileException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(handler, "handler");
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw UnreadableFileException.of("read.empty");
            }
            if (size > limits.maxFileBytes()) {
                throw UnreadableFileException.of("read.too-large", "bytes", size, "max", limits.maxFileBytes());
            }
            RowSink sink = new RowSink(handler);
            switch (FileKind.of(file)) {
                case ZIP:
                    return new XlsxRows(limits).read(file, sink);
                case TEXT:
                    return new CsvRows(limits).read(file, sink);
                case OLE2:
                    throw ole2(file);
                case EMPTY:
                    throw UnreadableFileException.of("read.empty");
                default:
                    throw UnreadableFileException.of("read.binary");
            }
        } catch (NoSuchFileException e) {
            throw new UnreadableFileException(Localized.of("read.not-found"), e);
        } catch (AccessDeniedException e) {
            throw new UnreadableFileException(Localized.of("read.access-denied"), e);
        } catch (IOException e) {
            // the library's words stay in the log (the cause): they may quote the file
            throw new UnreadableFileException(Localized.of("read.io-error"), e);
        }
    }

    /** An OLE2 file is a legacy .xls, or an .xlsx protected with a password (stored encrypted in OLE2). */
    private static UnreadableFileException ole2(Path file) {
        try (POIFSFileSystem ole = new POIFSFileSystem(file.toFile(), true)) {
            if (ole.getRoot().hasEntry("EncryptionInfo")) {
                return UnreadableFileException.of("read.xlsx.password");
            }
        } catch (IOException | RuntimeException e) {
            // not a well-formed OLE2 file: report it as the legacy format its header claims
        }
        return UnreadableFileException.of("read.xls");
    }
}
