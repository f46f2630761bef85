package dangan.access;

import org.apache.camel.Exchange;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What an API request asks for beyond its body: the query parameters, read from the raw query
 * string (never from HTTP headers of the same name), and path parameters checked for their shape.
 */
public final class Request {

    /** Archive numbers are digits only (D-14: year, month, serial): anything else is refused before any lookup. */
    private static final Pattern ARCHIVE_NO = Pattern.compile("[0-9]{6,20}");
    private static final int MAX_PURPOSE = 500;

    private final Map<String, List<String>> query;

    private Request(Map<String, List<String>> query) {
        this.query = query;
    }

    public static Request of(Exchange exchange) {
        String raw = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (raw == null) raw = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (key.indexOf('\u0000') >= 0 || value.indexOf('\u0000') >= 0) {
                    // PostgreSQL keeps no NUL in text, files no NUL in names: the caller's mistake, named
                    throw ApiProblem.localized(400, "api.query.nul", "name", key.replace("\u0000", "\\0"));
                }
                query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
        }
        return new Request(query);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // the decoder's English stays out of the answer: what is wrong with a % is always the same
            throw ApiProblem.localized(400, "api.query.encoding");
        }
    }

    /** The parameter's value, stripped; null when absent or blank; 400 when given twice. */
    public String param(String name) {
        List<String> values = query.get(name);
        if (values == null) return null;
        if (values.size() > 1) throw ApiProblem.localized(400, "api.query.twice", "name", name, "times", values.size());
        String value = values.get(0).strip();
        return dangan.normalise.Text.clean(value) == null ? null : value; // nothing visible (U+3000, U+200B): not given
    }

    /** {@code ?categories=health,preferences} as categories (in the order of {@link Category}); null when absent. */
    public List<Category> categories() {
        String value = param("categories");
        if (value == null) return null;
        return Request.categories(List.of(value.split("\\s*,\\s*")));
    }

    /** Category labels as categories; 400 naming an unknown one. */
    public static List<Category> categories(List<String> labels) {
        List<Category> out = new ArrayList<>();
        for (String label : labels) {
            if (label == null || label.isBlank()) continue;
            try {
                Category category = Category.of(label.strip());
                if (!out.contains(category)) out.add(category);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.localized(400, "api.category.unknown", "category", label.strip(), "categories", Category.labels());
            }
        }
        out.sort(null);
        return out;
    }

    /** {@code ?purpose=}: optional, recorded in the audit log; at most 500 characters. */
    public String purpose() {
        String purpose = param("purpose");
        if (purpose != null && purpose.length() > MAX_PURPOSE) {
            throw ApiProblem.localized(400, "api.query.purpose-too-long", "max", String.valueOf(MAX_PURPOSE));
        }
        return purpose == null ? null : purpose.replaceAll("[\\r\\n\\t]", " ");
    }

    /** An archive number as given in a path or a body: digits only, else 400. */
    public static String archiveNo(String value) {
        if (value == null || !ARCHIVE_NO.matcher(value).matches()) {
            throw ApiProblem.localized(400, "api.archive-no.invalid", "value", value == null ? "" : shorten(value));
        }
        return value;
    }

    /** The path parameter {@code archiveNo}, checked as {@link #archiveNo(String)}. */
    public static String archiveNo(Exchange exchange) {
        return archiveNo(exchange.getMessage().getHeader("archiveNo", String.class));
    }

    /** The path parameter {@code name} as a positive whole number, else 400. */
    public static long id(Exchange exchange, String name) {
        String value = exchange.getMessage().getHeader(name, String.class);
        try {
            long id = Long.parseLong(value == null ? "" : value.strip());
            if (id <= 0) throw new NumberFormatException();
            return id;
        } catch (NumberFormatException e) {
            throw ApiProblem.localized(400, "api.path.id", "name", name, "value", shorten(String.valueOf(value)));
        }
    }

    /** A value echoed in an error, kept short and on one line. */
    static String shorten(String value) {
        String line = value.replaceAll("[\\p{Cntrl}]", "?");
        return line.length() <= 40 ? line : line.substring(0, 40) + "…";
    }
}
