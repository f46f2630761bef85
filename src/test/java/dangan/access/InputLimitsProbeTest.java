package dangan.access;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.normalise.MaxLength;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import dangan.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input limits (issue 10): a probe of every API route (from the service's own OpenAPI description) with
 * a NUL character in every query parameter and every JSON text, JSON nested too deep, numbers out of
 * range and dates outside 1900–2100. Each is the caller's mistake: a 400 (or the route's refusal), never a 500.
 */
@Tag("service")
class InputLimitsProbeTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Query parameters the routes read (their names from the README and the routes), each given a NUL. */
    private static final List<String> PARAMS = List.of("q", "name", "mobile", "email", "archive_no", "purpose", "categories",
            "status", "kind", "limit", "from", "to", "on", "month", "field", "actor", "action", "outcome", "after_id",
            "request_id", "date", "channel", "overdue", "job", "id", "tier", "day", "year", "state");
    private static final List<String> TEXT_FIELDS = List.of("archive_no", "archive_nos", "purpose", "reason", "name", "kind",
            "via", "by", "password", "categories", "status", "comment", "field", "value", "mobile", "email", "address",
            "survey_id", "date", "birth_date", "note");

    @TempDir
    static Path home;
    static RunningService dangan;
    static List<ApiClient> callers = new ArrayList<>();
    static String archiveNo;

    @BeforeAll
    static void start() throws Exception {
        dangan = RunningService.start(home, Map.of("dangan.db.url", TestDatabase.freshDatabase(), "dangan.db.user", "postgres",
                "dangan.api.denials-per-minute", "100000", "dangan.api.auth-failures-per-minute", "100000"));
        dangan.drop("probe.csv", "姓名,手机,出生日期\n甲一,13822220001,1980-01-01\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("probe.csv").toString()).contains("/done/");
        archiveNo = (String) dangan.row("select archive_no from customer where mobile = '13822220001'").get("archive_no");
        // between them these roles may call every route (front desk and service staff call a subset of the manager's)
        for (Role role : List.of(Role.MANAGER, Role.KEEPER, Role.AUDITOR, Role.ADMIN)) {
            callers.add(ApiClient.asNewUser(dangan, "probe." + role.label(), role));
        }
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void noRouteAnswers500ToANulInAQueryParameterOrAJsonText() throws Exception {
        List<String> failures = new ArrayList<>();
        String query = String.join("&", PARAMS.stream().map(p -> p + "=a%00b").toList());
        StringBuilder body = new StringBuilder("{");
        for (String f : TEXT_FIELDS) body.append('"').append(f).append("\": \"a\\u0000b\", ");
        body.append("\"changes\": {\"address\": \"a\\u0000b\"}, \"days\": 1}");
        for (Route route : routes()) {
            for (ApiClient caller : callers) {
                probe(route, caller, "?" + query, route.method().equals("get") ? null : body.toString(), failures);
                if (!route.method().equals("get")) probe(route, caller, "", body.toString(), failures);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void deepJsonHugeNumbersAndFarDatesAre400s() throws Exception {
        List<String> failures = new ArrayList<>();
        List<String> bodies = List.of(
                "{\"a\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}",
                "{\"days\": " + "9".repeat(2_000) + ", \"request_id\": " + "9".repeat(2_000) + "}",
                "{\"days\": 1e400, \"request_id\": 99999999999999999999, \"reason\": \"x\", \"changes\": {\"birth_date\":"
                        + " \"0001-01-01\"}, \"date\": \"9999-12-31\", \"on\": \"0001-01-01\"}");
        for (Route route : routes()) {
            if (route.method().equals("get")) {
                for (String q : List.of("?from=0001-01-01&to=9999-12-31&on=0001-01-01&date=9999-12-31&month=0001-01",
                        "?limit=1e400&after_id=" + "9".repeat(2_000) + "&request_id=99999999999999999999")) {
                    for (ApiClient caller : callers) probe(route, caller, q, null, failures);
                }
                continue;
            }
            for (String b : bodies) {
                for (ApiClient caller : callers) probe(route, caller, "", b, failures);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theAnswerNamesTheFieldAndTextFieldsHaveLimits() throws Exception {
        ApiClient manager = callers.get(0);
        ApiClient.Reply nulInBody = manager.post("/api/archives/" + archiveNo + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"address\": \"深圳\\u0000福田\"}}");
        assertThat(nulInBody.status()).isEqualTo(400);
        assertThat(nulInBody.json().get("error").asText()).contains("/changes/address").contains("NUL");

        ApiClient.Reply nulInQuery = manager.get("/api/archives?name=a%00b");
        assertThat(nulInQuery.status()).isEqualTo(400);
        assertThat(nulInQuery.json().get("error").asText()).contains("name").contains("NUL");
        // a parameter the route reads as a message header (the checked file's name) is checked too: it was a 500
        ApiClient.Reply nulInName = manager.post("/api/ingests/check?name=a%00b.csv", "姓名,手机\n甲,13800000000\n");
        assertThat(nulInName.status()).isEqualTo(400);

        ApiClient.Reply deep = manager.post("/api/access-requests", "{\"a\": " + "[".repeat(100) + "]".repeat(100) + "}");
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.json().get("error").asText()).contains("32");

        // a correction took a 500,000-character address; the longest address is 300 characters
        ApiClient.Reply longAddress = manager.post("/api/archives/" + archiveNo + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"address\": \"" + "深".repeat(301) + "\"}}");
        assertThat(longAddress.status()).isEqualTo(400);
        assertThat(longAddress.json().get("error").asText()).contains("address：超过 300 个字符（301 个）");
        assertThat(manager.post("/api/archives/" + archiveNo + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"address\": \"" + "a".repeat(500_000) + "\"}}").status()).isEqualTo(400);
        assertThat(dangan.count("select count(*) from customer where length(address) > 300")).isZero();

        ApiClient.Reply farDate = manager.post("/api/archives/" + archiveNo + "/corrections",
                "{\"reason\": \"x\", \"changes\": {\"birth_date\": \"0001-01-01\"}}");
        assertThat(farDate.status()).isEqualTo(400);
        assertThat(farDate.json().get("error").asText()).contains("birth_date").contains("1900");

        // blank-looking text is blank: an ideographic space and a zero-width space give no reason
        ApiClient.Reply blankReason = manager.post("/api/archives/" + archiveNo + "/corrections",
                "{\"reason\": \"\\u3000\\u200b\", \"changes\": {\"address\": \"深圳\"}}");
        assertThat(blankReason.status()).isEqualTo(400);
        assertThat(blankReason.json().get("error").asText()).contains("缺少 reason");
        ApiClient.Reply blankPurpose = manager.post("/api/access-requests", "{\"archive_nos\": [\"" + archiveNo
                + "\"], \"categories\": [\"health\"], \"purpose\": \"\\u3000\\u200b\", \"days\": 1}");
        assertThat(blankPurpose.status()).isEqualTo(400);
    }

    /** The OpenAPI description gives the limits the code enforces, from the same constants: they cannot drift apart. */
    @Test
    void theOpenApiDescriptionGivesTheLimitsTheCodeEnforces() throws Exception {
        JsonNode doc = callers.get(0).get("/api/openapi.json").json();
        JsonNode fields = doc.at("/components/schemas/ArchiveFields/properties");
        assertThat(fields.size()).isEqualTo(MaxLength.OF.size());
        MaxLength.OF.forEach((field, max) ->
                assertThat(fields.at("/" + field + "/maxLength").asInt()).as(field).isEqualTo(max));
        JsonNode survey = doc.at("/components/schemas/SurveyResponse/properties");
        for (String field : List.of("comment", "service", "staff")) {
            assertThat(survey.at("/" + field + "/maxLength").asInt()).as(field).isEqualTo(MaxLength.of(field));
        }
        assertThat(survey.at("/customer/properties/name/maxLength").asInt()).isEqualTo(MaxLength.of("name"));
        JsonNode limits = doc.get("x-dangan-limits");
        assertThat(limits.get("max_body_bytes").asLong()).isEqualTo(dangan.service().settings().getInt("dangan.surveys.max-body-bytes", 0));
        assertThat(limits.get("max_json_depth").asInt()).isEqualTo(Api.MAX_JSON_DEPTH);
        assertThat(limits.get("max_number_digits").asInt()).isEqualTo(Api.MAX_NUMBER_DIGITS);
        assertThat(limits.get("max_json_text").asInt()).isEqualTo(Api.MAX_JSON_TEXT);
        assertThat(doc.at("/info/description").asText()).contains(String.valueOf(Api.MAX_JSON_DEPTH)).contains("413");
        JsonNode correction = doc.at("/paths/~1archives~1{archiveNo}~1corrections/post/requestBody/content/application~1json/schema");
        assertThat(correction.at("/properties/changes/$ref").asText()).isEqualTo("#/components/schemas/ArchiveFields");
        assertThat(correction.at("/properties/reason/maxLength").asInt()).isEqualTo(MaxLength.REASON);
        assertThat(doc.at("/paths/~1surveys/post/requestBody/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/SurveyResponse");
    }

    record Route(String method, String path) {
    }

    /** Every operation of the service's OpenAPI description, its path parameters filled with real values. */
    private static List<Route> routes() throws Exception {
        JsonNode doc = callers.get(0).get("/api/openapi.json").json();
        List<Route> routes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.get("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            String filled = path.getKey().replace("{archiveNo}", archiveNo).replaceAll("\\{[^}]+}", "1");
            for (Iterator<String> m = path.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (List.of("get", "post", "put", "delete", "patch").contains(method)) routes.add(new Route(method, "/api" + filled));
            }
        }
        assertThat(routes).hasSizeGreaterThan(40);
        return routes;
    }

    private static void probe(Route route, ApiClient caller, String query, String body, List<String> failures) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + dangan.httpPort() + route.path() + query))
                .header("Authorization", "Bearer " + caller.token()).header("Content-Type", "application/json");
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        HttpResponse<String> answer = HTTP.send(request.method(route.method().toUpperCase(), publisher).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (answer.statusCode() >= 500) {
            failures.add(route.method().toUpperCase() + " " + route.path() + query.substring(0, Math.min(query.length(), 60))
                    + (body == null ? "" : " " + body.substring(0, Math.min(body.length(), 60))) + " -> " + answer.statusCode()
                    + " " + answer.body());
        }
    }
}
