package dangan.notify;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A local HTTP receiver for webhooks: each path answers 200, or 500 for its first N requests (or always). */
final class WebhookReceiver implements AutoCloseable {

    record Request(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    final List<Request> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            received.add(new Request(path, Map.copyOf(exchange.getRequestHeaders()), body));
            AtomicInteger left = failuresLeft.get(path);
            boolean fail = left != null && left.getAndDecrement() > 0;
            byte[] answer = (fail ? "receiver unavailable" : "ok").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(fail ? 500 : 200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    /** A receiver for a static field: one per test class, {@link #reset()} before each test. */
    static WebhookReceiver unchecked() {
        try {
            return new WebhookReceiver();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Forgets what was received, and every path answers 200 again. */
    void reset() {
        received.clear();
        failuresLeft.clear();
    }

    /** The path answers 500 to its next {@code times} requests (Integer.MAX_VALUE: always). */
    void failing(String path, int times) {
        failuresLeft.put(path, new AtomicInteger(times));
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Request> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
