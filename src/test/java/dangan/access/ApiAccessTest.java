package dangan.access;

import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Who gets through the API's door: tokens, disabled users, the audit of every refusal. */
@Tag("service")
class ApiAccessTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();

    @Test
    void aValidTokenIdentifiesItsUserAndRole() throws Exception {
        ApiClient desk = ApiClient.asNewUser(dangan, "li.na", Role.FRONT_DESK);

        ApiClient.Reply me = desk.get("/api/me");

        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("name").asText()).isEqualTo("li.na");
        assertThat(me.json().get("role").asText()).isEqualTo("front-desk");
        assertThat(dangan.count("select count(*) from api_token t join staff_user u on u.id = t.user_id"
                + " where u.name = 'li.na' and t.last_used is not null")).isEqualTo(1);
    }

    @Test
    void noTokenOrAForgedOneIs401AndAudited() throws Exception {
        long deniedBefore = dangan.count("select count(*) from audit_log where outcome = 'denied'");

        ApiClient.Reply none = ApiClient.withToken(dangan, null).get("/api/me");
        ApiClient.Reply forged = ApiClient.withToken(dangan, "dgn_" + "A".repeat(43)).get("/api/me");
        ApiClient.Reply junk = ApiClient.withToken(dangan, "' or 1=1 --").get("/api/me");

        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("error").asText()).contains("Authorization: Bearer");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().get("error").asText()).contains("未知、已吊销");
        assertThat(junk.status()).isEqualTo(401);
        assertThat(dangan.count("select count(*) from audit_log where outcome = 'denied' and actor = 'anonymous'"
                + " and detail like 'GET /api/me%'")).isEqualTo(deniedBefore + 3);
    }

    @Test
    void aDisabledUsersTokensStopWorkingAtOnce() throws Exception {
        ApiClient service = ApiClient.asNewUser(dangan, "wang.fang", Role.SERVICE);
        assertThat(service.get("/api/me").status()).isEqualTo(200);

        StaffDirectory staff = dangan.bean("staffDirectory", StaffDirectory.class);
        staff.disable("wang.fang", "test-admin");

        assertThat(service.get("/api/me").status()).isEqualTo(401);
        assertThat(dangan.count("select count(*) from audit_log where action = 'user-disable' and actor = 'test-admin'"
                + " and detail = '停用用户 wang.fang'")).isEqualTo(1);
    }

    @Test
    void onlyTheHashOfATokenIsStored() throws Exception {
        ApiClient keeper = ApiClient.asNewUser(dangan, "zhao.lei", Role.KEEPER);

        assertThat(dangan.count("select count(*) from api_token where encode(token_hash, 'escape') like ?",
                "%" + keeper.token().substring(4, 20) + "%")).isZero();
        assertThat(dangan.count("select count(*) from audit_log where detail like ?", "%" + keeper.token() + "%")).isZero();
    }

    @Test
    void theOpenApiDescriptionListsTheResources() throws Exception {
        ApiClient.Reply doc = ApiClient.withToken(dangan, null).get("/api/openapi.json");

        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.text()).contains("\"openapi\"").contains("\"/me\"").contains("\"/surveys\"");
    }

    @Test
    void theOpenApiDescriptionIsValidAndUsableByGenerators() throws Exception {
        String json = ApiClient.withToken(dangan, null).get("/api/openapi.json").text();

        io.swagger.v3.parser.core.models.SwaggerParseResult parsed = new io.swagger.v3.parser.OpenAPIV3Parser().readContents(json, null, null);
        assertThat(parsed.getMessages()).as("what the OpenAPI parser objects to").isEmpty();
        io.swagger.v3.oas.models.OpenAPI api = parsed.getOpenAPI();

        assertThat(api.getServers()).extracting(io.swagger.v3.oas.models.servers.Server::getUrl)
                .containsExactly("http://localhost:" + dangan.httpPort() + "/api");
        io.swagger.v3.oas.models.security.SecurityScheme bearer = api.getComponents().getSecuritySchemes().get("bearer");
        assertThat(bearer.getType()).isEqualTo(io.swagger.v3.oas.models.security.SecurityScheme.Type.HTTP);
        assertThat(bearer.getScheme()).isEqualTo("bearer");

        java.util.Map<String, io.swagger.v3.oas.models.Operation> byId = new java.util.HashMap<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            assertThat(op.getOperationId()).as(method + " " + path).isNotBlank();
            assertThat(byId.put(op.getOperationId(), op)).as("operationId " + op.getOperationId() + " twice").isNull();
            op.getResponses().forEach((code, response) -> assertThat(response.getContent().get("application/json").getSchema())
                    .as(method + " " + path + " " + code + " has a schema").isNotNull());
        }));
        // the ids are the route ids; every route made from api-call needs the bearer token, sign-in none
        assertThat(byId.get("api-me").getSecurity()).extracting(r -> r.keySet()).containsExactly(java.util.Set.of("bearer"));
        assertThat(byId.get("api-archives-read").getSecurity()).extracting(r -> r.keySet()).containsExactly(java.util.Set.of("bearer"));
        assertThat(byId.get("api-archives-read").getResponses()).containsKeys("200", "401", "403", "404");
        assertThat(byId.get("api-archives-read").getResponses().get("404").getContent().get("application/json").getSchema().get$ref())
                .isEqualTo("#/components/schemas/Problem");
        assertThat(byId.get("console-sign-in").getSecurity()).isEmpty();
        assertThat(byId.get("surveys-http").getSecurity()).extracting(r -> r.keySet()).containsExactly(java.util.Set.of("surveysToken"));
        long templated = dangan.service().camelContext().getRoutes().stream()
                .filter(r -> r.isCreatedByRouteTemplate() && r.getEndpoint().getEndpointUri().startsWith("direct:")).count();
        assertThat(byId.values().stream().filter(op -> op.getSecurity().stream().anyMatch(r -> r.containsKey("bearer"))).count())
                .as("every api-call route's operation needs the token").isEqualTo(templated);
    }
}
