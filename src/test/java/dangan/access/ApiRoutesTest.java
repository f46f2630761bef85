package dangan.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * routes/ alone says who may call what: every REST resource a member of staff calls is a route of
 * the template {@code api-call} that names its roles, read here from the real route files.
 */
@Tag("fast")
class ApiRoutesTest {

    /**
     * Resources that are not called with a staff token: the survey platforms use the shared survey
     * token; the console's sign-in is how a member of staff gets a session.
     */
    private static final Set<String> NOT_STAFF = Set.of("direct:surveys-http", "direct:console-sign-in");

    private static final Map<String, JsonNode> apiCalls = new LinkedHashMap<>();
    private static final List<String> restTargets = new ArrayList<>();
    private static final List<String> plainRoutes = new ArrayList<>();

    @BeforeAll
    static void readRoutes() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode item : yaml.readTree(file.toFile())) {
                    if (item.has("templatedRoute") && item.get("templatedRoute").path("routeTemplateRef").asText().equals("api-call")) {
                        JsonNode route = item.get("templatedRoute");
                        Map<String, String> params = new LinkedHashMap<>();
                        route.get("parameters").forEach(p -> params.put(p.get("name").asText(), p.get("value").asText()));
                        apiCalls.put(route.get("routeId").asText(), new ObjectMapper().valueToTree(params));
                    }
                    if (item.has("route")) plainRoutes.add(item.get("route").path("from").path("uri").asText());
                    if (item.has("rest")) {
                        item.get("rest").fields().forEachRemaining(verb -> {
                            if (verb.getValue().isArray()) verb.getValue().forEach(v -> restTargets.add(v.path("to").asText()));
                        });
                    }
                }
            }
        }
    }

    @Test
    void everyStaffResourceIsAnApiCallThatNamesItsRoles() {
        assertThat(restTargets).hasSizeGreaterThan(30);
        for (String target : restTargets) {
            if (NOT_STAFF.contains(target)) continue;
            String name = target.substring("direct:".length());
            assertThat(apiCalls).as("%s is an api-call route", target).containsKey(name);
            JsonNode params = apiCalls.get(name);
            assertThat(params.path("name").asText()).as("the direct endpoint of %s", name).isEqualTo(name);
            assertThat(Role.setOf(params.path("roles").asText(), name)).as("roles of %s", name).isNotEmpty();
            assertThat(params.path("bean").asText()).as("bean of %s", name).isNotBlank();
            assertThat(params.path("method").asText()).as("method of %s", name).isNotBlank();
        }
        assertThat(plainRoutes).as("no plain route behind a staff resource").noneMatch(uri -> uri.startsWith("direct:api-"));
    }

    @Test
    void theRoutesGiveTheDecisionsOfThePoliciesToTheirRoles() {
        // D-19: the tier proposal is decided by a manager; D-16: the review queue by a manager or the keeper;
        // D-26: the audit log's chain is verified by the auditor; D-24: auditors and administrators see no archive contents
        assertThat(roles("api-tier-proposals-approve")).containsExactly(Role.MANAGER);
        assertThat(roles("api-review-accept")).containsExactlyInAnyOrder(Role.MANAGER, Role.KEEPER);
        assertThat(roles("api-audit-verify")).containsExactly(Role.AUDITOR);
        assertThat(roles("api-archives-read")).doesNotContain(Role.AUDITOR, Role.ADMIN);
        assertThat(roles("api-archives-search")).doesNotContain(Role.AUDITOR, Role.ADMIN);
    }

    @Test
    void aRoleThatIsNoRoleNamesTheRoute() {
        assertThatThrownBy(() -> Role.setOf("manager, manger", "api-x"))
                .hasMessageContaining("api-x").hasMessageContaining("manger").hasMessageContaining("front-desk");
        assertThatThrownBy(() -> Role.setOf(" ", "api-y")).hasMessageContaining("api-y");
        assertThat(Role.setOf("any", "api-z")).containsExactlyInAnyOrder(Role.FRONT_DESK, Role.SERVICE, Role.MANAGER,
                Role.KEEPER, Role.AUDITOR, Role.ADMIN).doesNotContain(Role.SURVEY_SOURCE);
    }

    private static Set<Role> roles(String route) {
        assertThat(apiCalls).containsKey(route);
        return Role.setOf(apiCalls.get(route).path("roles").asText(), route);
    }
}
