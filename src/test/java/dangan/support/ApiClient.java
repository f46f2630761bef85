package dangan.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.access.StaffDirectory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Real HTTP calls to a running service's API, as a member of staff with a real token. */
public final class ApiClient {

    /** What came back: the status, the body as text, and as JSON when it is JSON. */
    public record Reply(int status, String text, JsonNode json) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    private final String token;

    private ApiClient(int port, String token) {
        this.port = port;
        this.token = token;
    }

    /** A new user with this role on the running service, and a client that calls as them. */
    public static ApiClient asNewUser(RunningService running, String name, Role role) throws Exception {
        StaffDirectory staff = running.bean("staffDirectory", StaffDirectory.class);
        return new ApiClient(running.httpPort(), staff.addUser(name, role, "test"));
    }

    private static final java.util.concurrent.atomic.AtomicInteger PLATFORMS = new java.util.concurrent.atomic.AtomicInteger();

    /** A survey platform: a new user of the role survey-source, whose token {@code POST /api/surveys} takes. */
    public static ApiClient asSurveySource(RunningService running) throws Exception {
        return asNewUser(running, "survey-platform-" + PLATFORMS.incrementAndGet(), dangan.access.Role.SURVEY_SOURCE);
    }

    /** A client that sends this token as it is (null: no Authorization header). */
    public static ApiClient withToken(RunningService running, String token) {
        return new ApiClient(running.httpPort(), token);
    }

    public String token() {
        return token;
    }

    public Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** A GET asking for an answer in a language ({@code Accept-Language}). */
    public Reply get(String path, String acceptLanguage) throws IOException, InterruptedException {
        return send(request(path).header("Accept-Language", acceptLanguage).GET());
    }

    public Reply post(String path, String json) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json, StandardCharsets.UTF_8)));
    }

    /** A POST asking for an answer in a language ({@code Accept-Language}). */
    public Reply post(String path, String json, String acceptLanguage) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").header("Accept-Language", acceptLanguage)
                .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json, StandardCharsets.UTF_8)));
    }

    public Reply delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) builder.header("Authorization", "Bearer " + token);
        return builder;
    }

    private static Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode json = null;
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.contains("json") && !response.body().isEmpty()) json = JSON.readTree(response.body());
        return new Reply(response.statusCode(), response.body(), json);
    }
}
