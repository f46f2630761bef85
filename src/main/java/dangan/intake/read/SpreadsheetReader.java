package dangan.intake.read;

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
                throw new UnreadableFileException("file is empty (0 bytes); upload the file again");
            }
            if (size > limits.maxFileBytes()) {
                throw new UnreadableFileException("file is too large: " + size + " bytes, the limit is "
                        + limits.maxFileBytes() + " bytes; split it into smaller files");
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
                    throw new UnreadableFileException("file is empty (0 bytes); upload the file again");
                default:
                    throw new UnreadableFileException("not a CSV or XLSX file (looks binary, e.g. a PDF or an image);"
                            + " export the spreadsheet as .xlsx or CSV (UTF-8)");
            }
        } catch (NoSuchFileException e) {
            throw new UnreadableFileException("file not found: " + file + "; it may have been moved or deleted", e);
        } catch (AccessDeniedException e) {
            throw new UnreadableFileException("file cannot be opened (access denied): " + file
                    + "; check the file permissions", e);
        } catch (IOException e) {
            throw new UnreadableFileException("file cannot be read: " + e.getMessage()
                    + "; check the file and upload it again", e);
        }
    }

    /** An OLE2 file is a legacy .xls, or an .xlsx protected with a password (stored encrypted in OLE2). */
    private static UnreadableFileException ole2(Path file) {
        try (POIFSFileSystem ole = new POIFSFileSystem(file.toFile(), true)) {
            if (ole.getRoot().hasEntry("EncryptionInfo")) {
                return new UnreadableFileException("password-protected Excel file: remove the password in Excel"
                        + " (File > Info > Protect Workbook > Encrypt with Password) and save it again as .xlsx");
            }
        } catch (IOException | RuntimeException e) {
            // not a well-formed OLE2 file: report it as the legacy format its header claims
        }
        return new UnreadableFileException("legacy Excel 97-2003 (.xls) file: save it as .xlsx or CSV (UTF-8)");
    }
}
