package dangan.intake.read;

import java.io.IOException;
import java.io.Reader;

/** Chooses the CSV delimiter from the header line: comma, unless tabs or semicolons outnumber commas. */
final class Delimiters {

    /** How far into the file the header line is looked for. */
    static final int MAX_SNIFF_CHARS = 1 << 20;

    private Delimiters() {
    }

    /** Reads up to the first non-blank line of {@code text} and picks its delimiter. */
    static char sniff(Reader text) throws IOException {
        int commas = 0;
        int tabs = 0;
        int semicolons = 0;
        boolean quoted = false;
        boolean content = false;
        for (int read = 0; read < MAX_SNIFF_CHARS; read++) {
            int c = text.read();
            if (c < 0) {
                break;
            }
            if (c == '"') {
                quoted = !quoted;
                content = true;
            } else if (quoted) {
                continue;
            } else if (c == '\n' || c == '\r') {
                if (content) {
                    break;
                }
                commas = tabs = semicolons = 0;
            } else if (c == ',') {
                commas++;
            } else if (c == '\t') {
                tabs++;
            } else if (c == ';') {
                semicolons++;
            } else if (!Cells.isSpace((char) c)) {
                content = true;
            }
        }
        if (tabs > commas && tabs >= semicolons) {
            return '\t';
        }
        if (semicolons > commas) {
            return ';';
        }
        return ',';
    }
}
