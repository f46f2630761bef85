package dangan.console;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The console's files, all from the jar: the page at {@code /}, its ES modules and CSS under
 * {@code /console/}, the chart library from the ECharts webjar, and the console's texts (the message
 * bundle area {@code console}, Simplified Chinese and English) as JSON. Nothing is fetched at run time
 * and nothing here holds data: every datum the page shows comes from {@code /api} with the caller's
 * rights.
 */
public final class ConsoleAssets {

    private static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+(/[a-z0-9-]+)*\\.(js|css|svg|png)");
    private static final Pattern LANGUAGE = Pattern.compile("zh|en");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "png", "image/png", "html", "text/html; charset=utf-8", "json", "application/json; charset=utf-8");
    /** Scripts and styles only from this origin; no frames, no plug-ins, no form posts elsewhere. */
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code GET /}: the console's page. */
    public void page(Exchange exchange) throws IOException {
        serve(exchange, "console/index.html", "html");
    }

    /** {@code GET /console/…}: a module, a style sheet, the chart library, or the texts of a language. */
    public void asset(Exchange exchange) throws IOException {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, "", String.class);
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, "", String.class);
        if (uri.contains("?")) uri = uri.substring(0, uri.indexOf('?'));
        String name = uri.startsWith("/console/") ? uri.substring("/console/".length()) : path.replaceFirst("^/", "");
        if (name.equals("vendor/echarts.min.js")) {
            serve(exchange, ECHARTS, "js");
        } else if (name.startsWith("texts/") && name.endsWith(".json")
                && LANGUAGE.matcher(name.substring(6, name.length() - 5)).matches()) {
            texts(exchange, name.substring(6, name.length() - 5));
        } else if (ASSET.matcher(name).matches()) {
            serve(exchange, "console/" + name, name.substring(name.lastIndexOf('.') + 1));
        } else {
            notFound(exchange.getMessage());
        }
    }

    private void texts(Exchange exchange, String language) throws IOException {
        Map<String, String> texts = new TreeMap<>();
        try (InputStream in = resource("i18n/console_" + language + ".properties") /* the bundle area "console" (dangan.i18n.Messages.file) */) {
            if (in == null) {
                notFound(exchange.getMessage());
                return;
            }
            Properties properties = new Properties();
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
            properties.forEach((k, v) -> texts.put(k.toString(), v.toString()));
        }
        answer(exchange.getMessage(), JSON.writeValueAsBytes(texts), "json");
    }

    private void serve(Exchange exchange, String resource, String type) throws IOException {
        try (InputStream in = resource(resource)) {
            if (in == null) notFound(exchange.getMessage());
            else answer(exchange.getMessage(), in.readAllBytes(), type);
        }
    }

    private static InputStream resource(String name) {
        return ConsoleAssets.class.getClassLoader().getResourceAsStream(name);
    }

    private static void answer(Message message, byte[] body, String type) {
        message.removeHeaders("*", "Camel*");
        message.setBody(body);
        message.setHeader(Exchange.CONTENT_TYPE, TYPES.get(type));
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader("Cache-Control", "no-cache");
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("Referrer-Policy", "no-referrer");
        if (type.equals("html")) {
            message.setHeader("Content-Security-Policy", POLICY);
            message.setHeader("X-Frame-Options", "DENY");
        }
    }

    private static void notFound(Message message) {
        message.removeHeaders("*", "Camel*");
        message.setBody("not found");
        message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 404);
    }
}
