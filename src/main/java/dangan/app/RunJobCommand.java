package dangan.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.jobs.JobDate;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Route;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code run-job NAME [--date YYYY-MM-DD]} runs one scheduled job now, as if the given day had
 * come; {@code run-job --list} names them, read from the route files without starting anything.
 * A job runs in Camel with no consumer running and no HTTP server (no drop folder, mailbox, poll,
 * port or schedule): only the in-process ({@code direct:}) routes, so the job's output lands
 * exactly where its schedule would put it and nothing else happens.
 */
@Command(name = "run-job", mixinStandardHelpOptions = true)
final class RunJobCommand implements Callable<Integer> {

    private static final String JOB_PREFIX = "job-";

    @Option(names = "--list", descriptionKey = "run-job.list")
    boolean list;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", descriptionKey = "run-job.date")
    LocalDate date;

    @Parameters(paramLabel = "NAME", arity = "0..1", descriptionKey = "run-job.name")
    String name;

    private final Supplier<Settings> settings;
    private final PrintStream out;
    private final PrintStream err;

    RunJobCommand(Supplier<Settings> settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = this.settings.get();
        Messages messages = Messages.of(settings);
        Map<String, String> jobs = jobs(settings);
        if (list || name == null) {
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ArrayNode array = mapper.createArrayNode();
                jobs.forEach((job, description) -> array.addObject().put("name", job).put("description", description));
                out.println(mapper.writeValueAsString(array));
            } else {
                out.println(messages.text("cli.run-job.list"));
                jobs.forEach((job, description) -> out.printf("  %-22s %s%n", job, description));
            }
            if (!list) err.println(messages.text("cli.run-job.name-missing"));
            return list ? Dangan.OK : Dangan.USAGE;
        }
        if (!jobs.containsKey(name)) {
            err.println(messages.text("cli.run-job.unknown", "name", name));
            return Dangan.USAGE;
        }
        return run(settings, messages);
    }

    private int run(Settings settings, Messages messages) throws Exception {
        settings = settings.with(Map.of("camel.main.autoStartup", "false", "dangan.jobs.enabled", "false",
                "camel.server.enabled", "false"));
        try (DanganService service = DanganService.start(settings)) {
            CamelContext camel = service.camelContext();
            for (Route route : camel.getRoutes()) {
                if (route.getEndpoint().getEndpointUri().startsWith("direct:")) {
                    camel.getRouteController().startRoute(route.getRouteId());
                }
            }
            try {
                camel.createProducerTemplate().sendBodyAndHeader("direct:" + JOB_PREFIX + name, null, JobDate.HEADER, date);
            } catch (CamelExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                err.println(messages.text("cli.run-job.failed", "name", name, "problem", Dangan.oneLine(cause)));
                return Dangan.FAILED;
            }
            out.println(date == null ? messages.text("cli.run-job.done", "name", name)
                    : messages.text("cli.run-job.done-for", "name", name, "date", date));
            return Dangan.OK;
        }
    }

    /**
     * The jobs, by name, with their descriptions: the routes named {@code job-NAME} in the route
     * files, read as YAML (no Camel context needed to list them).
     */
    static Map<String, String> jobs(Settings settings) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, String> jobs = new TreeMap<>();
        Path folder = DanganService.routesFolder(settings);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.yaml")) {
            for (Path file : files) {
                JsonNode entries = yaml.readTree(file.toFile());
                if (entries == null || !entries.isArray()) continue;
                for (JsonNode entry : entries) {
                    JsonNode route = entry.get("route");
                    if (route == null) continue;
                    String id = route.path("id").asText("");
                    if (id.startsWith(JOB_PREFIX)) {
                        jobs.put(id.substring(JOB_PREFIX.length()), route.path("description").asText(""));
                    }
                }
            }
        }
        return jobs;
    }
}
