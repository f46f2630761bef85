package dangan.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.config.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files under {@code deploy/} as far as they can be checked without a container engine: the
 * compose file parses and wires two instances to one database and one drop folder, the Dockerfile
 * builds in stages and runs unprivileged with DANGAN_HOME a volume and a health check on a path the
 * routes serve, the systemd unit is hardened and waits longer than the service's own shutdown.
 */
@Tag("fast")
class DeployFilesTest {

    private static final Path DEPLOY = Path.of("deploy");

    @Test
    void composeRunsTwoInstancesOnOnePostgresAndOneDropFolder() throws IOException {
        // SnakeYAML resolves the merge key (<<: *dangan) as Compose does; Jackson's YAML reader would not
        Object parsed;
        try (var in = Files.newBufferedReader(DEPLOY.resolve("compose.yaml"))) {
            parsed = new org.yaml.snakeyaml.Yaml().load(in);
        }
        JsonNode compose = new ObjectMapper().valueToTree(parsed);
        JsonNode services = compose.get("services");
        assertThat(services.get("db").get("image").asText()).isEqualTo("postgres:16");

        List<JsonNode> dangan = new ArrayList<>();
        services.fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("dangan")) dangan.add(e.getValue());
        });
        assertThat(dangan).hasSize(2);
        for (JsonNode instance : dangan) {
            assertThat(instance.get("build").get("dockerfile").asText()).isEqualTo("deploy/Dockerfile");
            assertThat(instance.get("environment").get("DANGAN_DB_URL").asText()).isEqualTo("jdbc:postgresql://db:5432/dangan");
            assertThat(instance.get("environment").get("DANGAN_MASTER_KEY").asText()).startsWith("${DANGAN_MASTER_KEY:?");
            assertThat(instance.get("volumes").get(0).asText()).isEqualTo("dangan-home:/var/lib/dangan");
            assertThat(instance.get("depends_on").get("db").get("condition").asText()).isEqualTo("service_healthy");
            assertThat(seconds(instance.get("stop_grace_period").asText())).isGreaterThan(shutdownTimeoutSeconds());
        }
        assertThat(dangan.get(0).get("ports").get(0).asText()).isNotEqualTo(dangan.get(1).get("ports").get(0).asText());
        assertThat(compose.get("volumes").has("dangan-home")).isTrue();
    }

    @Test
    void theImageIsBuiltInStagesAndRunsUnprivilegedWithAHealthCheck() throws IOException {
        List<String> lines = Files.readAllLines(DEPLOY.resolve("Dockerfile")).stream()
                .filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#")).toList();
        List<String> stages = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(stages).hasSize(2);
        assertThat(stages.get(0)).contains("eclipse-temurin:17-jdk").contains(" AS build");
        assertThat(stages.get(1)).isEqualTo("FROM eclipse-temurin:17-jre");
        String dockerfile = String.join("\n", lines);
        assertThat(dockerfile).contains("./mvnw -B -ntp -q package -DskipTests", "VOLUME [\"/var/lib/dangan\"]",
                "DANGAN_HOME=/var/lib/dangan", "ENTRYPOINT [\"java\"");
        String runtime = dockerfile.substring(dockerfile.indexOf(stages.get(1)));
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(runtime);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");

        Matcher health = Pattern.compile("HEALTHCHECK .*?curl [^\"]*\"http://127\\.0\\.0\\.1:\\$\\{DANGAN_HTTP_PORT}(/[^\"]+)\"", Pattern.DOTALL)
                .matcher(dockerfile);
        assertThat(health.find()).as("a HEALTHCHECK asking an HTTP path").isTrue();
        assertThat(servedPaths()).as("paths the routes serve").contains(health.group(1));
        assertThat(Path.of(".dockerignore")).content().contains("target/", "data/");
    }

    @Test
    void theSystemdUnitIsHardenedAndWaitsForTheServicesOwnShutdown() throws IOException {
        Properties unit = new Properties();
        for (String line : Files.readAllLines(DEPLOY.resolve("dangan.service"))) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) unit.setProperty(line.substring(0, eq), line.substring(eq + 1));
        }
        assertThat(unit.getProperty("ProtectSystem")).isEqualTo("strict");
        assertThat(unit.getProperty("NoNewPrivileges")).isEqualTo("yes");
        assertThat(unit.getProperty("User")).isEqualTo("dangan");
        assertThat(unit.getProperty("Environment")).isEqualTo("DANGAN_HOME=/var/lib/dangan");
        assertThat(unit.getProperty("ReadWritePaths")).isEqualTo("/var/lib/dangan");
        assertThat(unit.getProperty("MemoryDenyWriteExecute")).as("the JIT writes code").isNull();
        assertThat(seconds(unit.getProperty("TimeoutStopSec"))).isGreaterThan(shutdownTimeoutSeconds());
    }

    /** camel.main.shutdown-timeout as configured: how long the service itself may take to stop. */
    private static long shutdownTimeoutSeconds() {
        return Settings.load(Path.of("config", "application.properties"), Map.of(), new Properties())
                .getInt("camel.main.shutdown-timeout", 45);
    }

    private static long seconds(String duration) {
        Matcher m = Pattern.compile("(\\d+)(s|m)?").matcher(duration.strip());
        assertThat(m.matches()).as("a duration in seconds or minutes: %s", duration).isTrue();
        long n = Long.parseLong(m.group(1));
        return "m".equals(m.group(2)) ? n * 60 : n;
    }

    /** Every path a route or REST verb in routes/*.yaml answers (platform-http:/path, rest paths). */
    private static List<String> servedPaths() throws IOException {
        List<String> paths = new ArrayList<>();
        Pattern uri = Pattern.compile("platform-http:(/[^?\\s\"]*)");
        try (var files = Files.newDirectoryStream(Path.of("routes"), "*.yaml")) {
            for (Path file : files) {
                Matcher m = uri.matcher(Files.readString(file));
                while (m.find()) paths.add(m.group(1));
            }
        }
        return paths;
    }
}
