package dangan.intake.read;

import dangan.i18n.Localized;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.poi.openxml4j.exceptions.OpenXML4JException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.openxml4j.opc.PackagePart;
import org.apache.poi.openxml4j.opc.PackageRelationship;
import org.apache.poi.openxml4j.opc.PackageRelationshipCollection;
import org.apache.poi.openxml4j.opc.PackageRelationshipTypes;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler.SheetContentsHandler;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFComment;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Streams the rows of the first sheet (the leftmost tab, even when hidden) of an XLSX workbook with POI's
 * SAX event API, so memory does not grow with the number of rows; other sheets are ignored.
 *
 * <p>POI's {@code ZipSecureFile} guards against zip bombs (too high a compression ratio).
 */
final class XlsxRows {

    private final ReadLimits limits;

    XlsxRows(ReadLimits limits) {
        this.limits = limits;
    }

    /** Reads the first sheet of {@code file} into {@code sink}. */
    ReadSummary read(Path file, RowSink sink) throws UnreadableFileException {
        OPCPackage pkg = null;
        try {
            pkg = OPCPackage.open(file.toFile(), PackageAccess.READ);
            requireWorkbook(pkg);
            XSSFReader reader = new XSSFReader(pkg);
            ReadOnlySharedStringsTable strings = new ReadOnlySharedStringsTable(pkg, false); // no phonetic runs
            StylesTable styles = reader.getStylesTable();
            if (styles == null) {
                styles = new StylesTable(); // so numbers still go through the formatter
            }
            IsoDataFormatter formatter = new IsoDataFormatter(isDate1904(reader));
            XSSFReader.SheetIterator sheets = reader.getSheetIterator();
            if (!sheets.hasNext()) {
                throw UnreadableFileException.of("read.xlsx.no-sheet");
            }
            try (InputStream sheet = sheets.next()) {
                String sheetName = sheets.getSheetName();
                Rows rows = new Rows(sink);
                XMLReader parser = XMLHelper.newXMLReader();
                parser.setContentHandler(new XSSFSheetXMLHandler(styles, null, strings, rows, formatter, false));
                parser.parse(new InputSource(sheet));
                if (!sink.headerSeen()) {
                    throw UnreadableFileException.of("read.xlsx.no-header");
                }
                return new ReadSummary("xlsx", "xlsx", sink.blankRows(), sheetName);
            }
        } catch (HandlerFailure e) {
            throw e.original;
        } catch (LimitExceeded e) {
            throw e.problem;
        } catch (UnreadableFileException e) {
            throw e;
        } catch (IOException | SAXException | OpenXML4JException | ParserConfigurationException | RuntimeException e) {
            Throwable inner = find(e, HandlerFailure.class);
            if (inner != null) {
                throw ((HandlerFailure) inner).original;
            }
            inner = find(e, LimitExceeded.class);
            if (inner != null) {
                throw ((LimitExceeded) inner).problem;
            }
            throw unreadable(e);
        } finally {
            if (pkg != null) {
                pkg.revert(); // closes without trying to save
            }
        }
    }

    /** Fails unless the package's main part is a spreadsheet (not a Word/PowerPoint file or an .xlsb). */
    private static void requireWorkbook(OPCPackage pkg) throws UnreadableFileException, OpenXML4JException {
        PackageRelationshipCollection core = pkg.getRelationshipsByType(PackageRelationshipTypes.CORE_DOCUMENT);
        if (core.isEmpty()) {
            core = pkg.getRelationshipsByType(PackageRelationshipTypes.STRICT_CORE_DOCUMENT);
        }
        PackageRelationship main = core.isEmpty() ? null : core.getRelationship(0);
        PackagePart part = main == null ? null : pkg.getPart(main);
        if (part == null) {
            throw UnreadableFileException.of("read.xlsx.no-workbook");
        }
        String type = part.getContentType();
        if (type.contains(".sheet.binary")) {
            throw UnreadableFileException.of("read.xlsx.binary");
        }
        if (!type.contains("spreadsheetml") && !type.startsWith("application/vnd.ms-excel")) {
            throw UnreadableFileException.of("read.xlsx.other-document");
        }
    }

    /** Reads {@code <workbookPr date1904="1"/>} from the workbook part. */
    private static boolean isDate1904(XSSFReader reader)
            throws IOException, OpenXML4JException, SAXException, ParserConfigurationException {
        boolean[] date1904 = {false};
        XMLReader parser = XMLHelper.newXMLReader();
        parser.setContentHandler(new DefaultHandler() {
            @Override
            public void startElement(String uri, String localName, String qName, Attributes attributes)
                    throws SAXException {
                if ("workbookPr".equals(localName)) {
                    String value = attributes.getValue("date1904");
                    date1904[0] = "1".equals(value) || "true".equalsIgnoreCase(value);
                }
                if ("sheets".equals(localName) || "workbookPr".equals(localName)) {
                    throw new SAXException(StopParsing.INSTANCE); // nothing else needed
                }
            }
        });
        try (InputStream workbook = reader.getWorkbookData()) {
            parser.parse(new InputSource(workbook));
        } catch (SAXException e) {
            if (e.getException() != StopParsing.INSTANCE) {
                throw e;
            }
        }
        return date1904[0];
    }

    private static UnreadableFileException unreadable(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("Zip bomb") || message.contains("max size of the expanded data")) {
                return new UnreadableFileException(Localized.of("read.xlsx.zip-bomb"), e);
            }
        }
        // the library's words stay in the log (the cause): they may quote the file
        return new UnreadableFileException(Localized.of("read.xlsx.corrupt"), e);
    }

    private static Throwable find(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
            if (t instanceof SAXException sax && sax.getException() != null && sax.getException() != t.getCause()) {
                Throwable wrapped = find(sax.getException(), type);
                if (wrapped != null) {
                    return wrapped;
                }
            }
        }
        return null;
    }

    /** Collects the cells of each row, filling gaps, and hands finished rows to the sink. */
    private final class Rows implements SheetContentsHandler {

        private final RowSink sink;
        private final List<String> cells = new ArrayList<>();
        private int lastRow = -1;
        private int currentRow;

        Rows(RowSink sink) {
            this.sink = sink;
        }

        @Override
        public void startRow(int rowNum) {
            if (rowNum > lastRow + 1) {
                sink.skippedBlank(rowNum - lastRow - 1); // rows missing from the XML are blank in Excel
            }
            currentRow = rowNum;
            cells.clear();
        }

        @Override
        public void cell(String cellReference, String formattedValue, XSSFComment comment) {
            String value = formattedValue == null ? "" : formattedValue;
            int column = cellReference == null ? cells.size() : new CellReference(cellReference).getCol();
            int excelRow = currentRow + 1;
            if (column >= limits.maxColumns()) {
                if (Cells.isBlank(value)) {
                    return; // formatting far to the right: harmless
                }
                throw new LimitExceeded(UnreadableFileException.of("read.xlsx.too-many-columns", "row", excelRow,
                        "column", CellReference.convertNumToColString(column), "max", limits.maxColumns()));
            }
            if (value.length() > limits.maxCellChars()) {
                throw new LimitExceeded(UnreadableFileException.of("read.xlsx.cell-too-long", "row", excelRow,
                        "column", CellReference.convertNumToColString(column), "chars", value.length(),
                        "max", limits.maxCellChars()));
            }
            while (cells.size() < column) {
                cells.add("");
            }
            if (column < cells.size()) {
                cells.set(column, value);
            } else {
                cells.add(value);
            }
        }

        @Override
        public void endRow(int rowNum) {
            lastRow = rowNum;
            while (sink.headerSeen() && cells.size() < sink.headerWidth()) {
                cells.add(""); // Excel does not store trailing empty cells
            }
            List<String> row = List.copyOf(cells);
            try {
                sink.accept(rowNum + 1, row);
            } catch (RuntimeException e) {
                throw new HandlerFailure(e);
            }
        }
    }

    /** Carries a handler's exception through the SAX parser, to be rethrown unchanged. */
    private static final class HandlerFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final RuntimeException original;

        HandlerFailure(RuntimeException original) {
            super(null, original, false, false);
            this.original = original;
        }
    }

    /** Carries a limit violation out of the SAX callbacks. */
    private static final class LimitExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final UnreadableFileException problem;

        LimitExceeded(UnreadableFileException problem) {
            super(problem.getMessage(), problem, false, false);
            this.problem = problem;
        }
    }

    /** Signals the end of a parse that has found what it needs. */
    private static final class StopParsing extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final StopParsing INSTANCE = new StopParsing();

        private StopParsing() {
            super(null, null, false, false);
        }
    }
}
