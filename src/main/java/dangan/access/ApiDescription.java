package dangan.access;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import dangan.normalise.MaxLength;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.openapi.BeanConfig;
import org.apache.camel.openapi.RestOpenApiReader;
import org.apache.camel.openapi.RestOpenApiSupport;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/openapi.json} (routes/api.yaml): the OpenAPI 3 description Camel makes from the
 * rest DSL, completed with what Swagger UI and client generators need and the YAML does not say
 * verb by verb:
 * <ul>
 *   <li>{@code servers}: {@code dangan.api.public-url} + {@code /api}, or the address the caller used
 *       ({@code Host}) when that is not set;</li>
 *   <li>{@code operationId}: the id of the route the verb sends to ({@code api-archives-read}), unique;</li>
 *   <li>security: the scheme {@code bearer} (a staff token) on every operation whose route is made
 *       from the {@code api-call} template (all but sign-in), {@code surveysToken} on
 *       {@code POST /surveys} (dangan.surveys.token), none on sign-in;</li>
 *   <li>responses: each with a JSON schema — {@code Problem} ({@code {"error": "…"}}) for every 4xx and
 *       5xx, an object for the others — and 401, 403 and 500 on every operation that needs a token;</li>
 *   <li>limits (issue 10), from the code that enforces them, so the description cannot drift from it: the body
 *       size ({@code camel.server.maxBodySize}, 413), the JSON depth, number and text limits ({@link Api}, 400) in
 *       {@code x-dangan-limits} and the description; every text field's {@code maxLength} ({@link MaxLength}) in the
 *       schemas {@code ArchiveFields} (the corrections' {@code changes}) and {@code SurveyResponse}
 *       ({@code POST /surveys}); {@code reason} of a correction and {@code as} of a review decision.</li>
 * </ul>
 */
public final class ApiDescription {

    private static final Set<String> OWN_TOKEN = Set.of("surveys-http");

    private final String publicUrl;
    private final long maxBodyBytes;

    /**
     * @param publicUrl the service's address as clients reach it ({@code https://dangan.example}); null: the caller's Host
     * @param maxBodyBytes the largest request body the HTTP server takes ({@code camel.server.maxBodySize})
     */
    public ApiDescription(String publicUrl, long maxBodyBytes) {
        this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
        this.maxBodyBytes = maxBodyBytes;
    }

    public void describe(Exchange exchange) throws Exception {
        CamelContext context = exchange.getContext();
        RestOpenApiSupport support = new RestOpenApiSupport();
        BeanConfig config = new BeanConfig();
        Map<String, Object> properties = new HashMap<>();
        if (context.getRestConfiguration().getApiProperties() != null) properties.putAll(context.getRestConfiguration().getApiProperties());
        support.initOpenApi(config, properties);
        List<RestDefinition> rests = support.getRestDefinitions(context);
        OpenAPI api = new RestOpenApiReader().read(context, rests, config, context.getName(), context.getClassResolver());
        complete(api, rests, context, server(exchange));
        limits(api, maxBodyBytes);
        // the server writes every message header into the answer: none of the request's goes back
        exchange.getMessage().removeHeaders("*", "Camel*");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setBody(RestOpenApiSupport.getJsonFromOpenAPIAsString(api, config));
    }

    private String server(Exchange exchange) {
        if (publicUrl != null) return publicUrl + "/api";
        // the URL the caller asked for (the server's address as the caller knows it): its scheme and authority
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URL, String.class);
        try {
            java.net.URI asked = url == null ? null : java.net.URI.create(url);
            return asked == null || asked.getScheme() == null || asked.getRawAuthority() == null ? "/api"
                    : asked.getScheme() + "://" + asked.getRawAuthority() + "/api";
        } catch (IllegalArgumentException e) {
            return "/api";
        }
    }

    private static void complete(OpenAPI api, List<RestDefinition> rests, CamelContext context, String server) {
        api.setServers(List.of(new Server().url(server).description("Dangan")));
        Components components = api.getComponents() == null ? new Components() : api.getComponents();
        api.setComponents(components);
        components.addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("A staff token: `dangan user add NAME --role ROLE` or `dangan user token NAME`"));
        components.addSecuritySchemes("surveysToken", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("A survey platform's credential: a staff token of the role survey-source or the shared"
                        + " dangan.surveys.token (a signature in X-Dangan-Source/-Timestamp/-Signature does too; required unless"
                        + " dangan.surveys.open=true)"));
        components.addSchemas("Problem", new ObjectSchema().description("Why the request failed, in the caller's language")
                .addProperty("error", new StringSchema()).addRequiredItem("error"));

        Map<String, String> targets = new HashMap<>(); // "get /archives/{archiveNo}" -> route id
        for (RestDefinition rest : rests) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String to = verb.getTo() == null ? null : verb.getTo().getEndpointUri();
                if (to == null || !to.startsWith("direct:")) continue;
                String path = join(rest.getPath(), verb.getPath());
                targets.put(verb.asVerb().toLowerCase() + " " + path, to.substring("direct:".length()));
            }
        }
        if (api.getPaths() == null) return;
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            String route = targets.get(method.name().toLowerCase() + " " + path);
            if (route != null) operation.setOperationId(route);
            boolean staff = route != null && isTemplated(context, route);
            if (staff) {
                operation.setSecurity(List.of(new SecurityRequirement().addList("bearer")));
            } else if (route != null && OWN_TOKEN.contains(route)) {
                operation.setSecurity(List.of(new SecurityRequirement().addList("surveysToken")));
            } else {
                operation.setSecurity(List.of()); // sign-in: no token
            }
            responses(operation, staff || OWN_TOKEN.contains(route));
        }));
        api.setSecurity(null);
    }

    /** The request limits, as the code enforces them (see the class comment). */
    static void limits(OpenAPI api, long maxBodyBytes) {
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_body_bytes", maxBodyBytes);
        limits.put("max_json_depth", Api.MAX_JSON_DEPTH);
        limits.put("max_number_digits", Api.MAX_NUMBER_DIGITS);
        limits.put("max_json_text", Api.MAX_JSON_TEXT);
        api.addExtension("x-dangan-limits", limits);
        if (api.getInfo() != null) {
            String before = api.getInfo().getDescription();
            api.getInfo().setDescription((before == null || before.isBlank() ? "" : before + "\n\n") + "Limits: a request body of at most "
                    + maxBodyBytes + " bytes (larger: 413); JSON nested at most " + Api.MAX_JSON_DEPTH + " deep, numbers of at most "
                    + Api.MAX_NUMBER_DIGITS + " digits, texts of at most " + Api.MAX_JSON_TEXT + " characters, no NUL character"
                    + " (else 400, naming the field); every text field of an archive at most its maxLength (schema ArchiveFields),"
                    + " in characters.");
        }
        Components components = api.getComponents();
        ObjectSchema fields = new ObjectSchema();
        fields.description("The text fields of an archive, each with the most characters it takes (a character outside the BMP"
                + " counts once), whichever way it arrives; a longer value is refused, naming the field, its length and the limit."
                + " An extra attribute's value (a column Dangan does not know) takes " + MaxLength.EXTRA + ".");
        MaxLength.OF.forEach((field, max) -> fields.addProperty(field, new StringSchema().maxLength(max)));
        components.addSchemas("ArchiveFields", fields);

        ObjectSchema customer = new ObjectSchema();
        customer.addProperty("archive_no", new StringSchema().pattern("^[0-9]{6,20}$"));
        customer.addProperty("mobile", new StringSchema());
        customer.addProperty("email", new StringSchema().maxLength(MaxLength.of("email")));
        customer.addProperty("name", new StringSchema().maxLength(MaxLength.of("name")));
        ObjectSchema consent = new ObjectSchema();
        consent.addProperty("version", new StringSchema().maxLength(MaxLength.of("consent_version")));
        ObjectSchema survey = new ObjectSchema();
        survey.description("One survey response in Dangan's default format (the body may also be an array of them, or the"
                + " platform's envelope: dangan.surveys.map.*); a response with a text longer than its maxLength is rejected,"
                + " naming the field, its length and the limit.");
        survey.addProperty("survey_id", new StringSchema());
        survey.addProperty("submitted_at", new StringSchema().format("date-time"));
        survey.addProperty("customer", customer);
        survey.addProperty("score", new io.swagger.v3.oas.models.media.IntegerSchema().minimum(java.math.BigDecimal.ONE)
                .maximum(java.math.BigDecimal.valueOf(5)));
        survey.addProperty("nps", new io.swagger.v3.oas.models.media.IntegerSchema().minimum(java.math.BigDecimal.ZERO)
                .maximum(java.math.BigDecimal.TEN));
        for (String text : List.of("comment", "service", "staff")) survey.addProperty(text, new StringSchema().maxLength(MaxLength.of(text)));
        survey.addProperty("answers", new ObjectSchema());
        survey.addProperty("consent", consent);
        components.addSchemas("SurveyResponse", survey);

        ObjectSchema correction = new ObjectSchema();
        correction.addProperty("request_id", new io.swagger.v3.oas.models.media.IntegerSchema().format("int64"));
        correction.addProperty("reason", new StringSchema().maxLength(MaxLength.REASON));
        correction.addProperty("changes", new Schema<>().$ref("#/components/schemas/ArchiveFields"));
        ObjectSchema decision = new ObjectSchema();
        decision.addProperty("as", new StringSchema().description("for a held sensitive column (field held:<heading>) only:"
                + " health, allergies, extra or extra:NAME"));
        if (api.getPaths() == null) return;
        api.getPaths().forEach((path, item) -> item.readOperations().forEach(operation -> {
            String id = operation.getOperationId();
            if ("api-rights-correct".equals(id)) body(operation, correction, true);
            else if ("surveys-http".equals(id)) body(operation, new Schema<>().$ref("#/components/schemas/SurveyResponse"), true);
            else if ("api-review-accept".equals(id)) body(operation, decision, false);
        }));
    }

    private static void body(Operation operation, Schema<?> schema, boolean required) {
        operation.setRequestBody(new RequestBody().required(required)
                .content(new Content().addMediaType("application/json", new MediaType().schema(schema))));
    }

    private static boolean isTemplated(CamelContext context, String routeId) {
        Route route = context.getRoute(routeId);
        // the rest verbs send only to api-call routes and to the two resources that take no staff token
        return route != null && route.isCreatedByRouteTemplate();
    }

    private static void responses(Operation operation, boolean needsToken) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        if (responses.keySet().stream().noneMatch(code -> code.startsWith("2"))) {
            responses.addApiResponse("200", new ApiResponse().description("the answer"));
        }
        if (needsToken) {
            responses.putIfAbsent("401", new ApiResponse().description("no token, or not a valid one"));
            responses.putIfAbsent("403", new ApiResponse().description("the caller's role may not do this"));
        }
        responses.putIfAbsent("500", new ApiResponse().description("unexpected: the answer names a reference in the service log"));
        responses.forEach((code, response) -> {
            if (response.getDescription() == null) response.setDescription(code);
            boolean problem = code.startsWith("4") || code.startsWith("5");
            Schema<?> schema = problem ? new Schema<>().$ref("#/components/schemas/Problem") : new ObjectSchema();
            if (response.getContent() == null || response.getContent().isEmpty()) {
                response.setContent(new Content().addMediaType("application/json", new MediaType().schema(schema)));
            } else {
                response.getContent().values().forEach(media -> {
                    if (media.getSchema() == null) media.setSchema(schema);
                });
            }
        });
    }

    private static String join(String base, String path) {
        String a = base == null ? "" : base;
        String b = path == null ? "" : path;
        String joined = (a + "/" + b).replaceAll("/+", "/");
        if (joined.length() > 1 && joined.endsWith("/")) joined = joined.substring(0, joined.length() - 1);
        return joined.startsWith("/") ? joined : "/" + joined;
    }
}
