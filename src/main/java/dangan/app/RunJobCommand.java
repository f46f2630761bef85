package dangan.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.audit.Exposure;
import dangan.jobs.JobDate;
import dangan.jobs.JobAbout;
import dangan.jobs.JobFailures;
import dangan.jobs.JobRuns;
import dangan.i18n.FailureText;
import dangan.store.Db;
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
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private final CommandContext context;

    RunJobCommand(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = context.settings();
        Messages messages = Messages.of(settings);
        PrintStream out = context.out();
        PrintStream err = context.err();
        Map<String, Job> jobs = jobs(settings);
        if (list || name == null) {
            if (json) {
                List<Map<String, String>> listed = new ArrayList<>();
                jobs.forEach((job, about) -> {
                    Map<String, String> entry = new LinkedHashMap<>();
                    entry.put("name", job);
                    entry.put("schedule", about.schedule());
                    entry.put("description", about.description());
                    listed.add(entry);
                });
                context.json(listed);
            } else {
                out.println(messages.text("cli.run-job.list"));
                jobs.forEach((job, about) -> out.printf("  %-22s %-26s %s%n", job, about.schedule() == null ? "-" : about.schedule(),
                        about.description()));
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
            Instant started = Instant.now();
            Throwable failed = null;
            try {
                camel.createProducerTemplate().sendBodyAndHeader("direct:" + JOB_PREFIX + name, null, JobDate.HEADER, date);
            } catch (CamelExecutionException e) {
                failed = e.getCause() == null ? e : e.getCause();
            }
            // recorded in job_run as the schedule's and the API's runs are: due on the day it ran for, by the command's user
            JobRuns.Run run = new JobRuns.Run(name, date == null ? started : date.atStartOfDay(settings.zone()).toInstant(),
                    Exposure.cliActor(), started, Instant.now(), failed == null ? null : JobFailures.said(failed, messages));
            Db.jdbi(service.database().dataSource()).useTransaction(h -> JobRuns.record(h, run));
            if (failed != null) {
                context.err().println(messages.text("cli.run-job.failed", "name", name, "problem", FailureText.of(failed, messages)));
                return Dangan.FAILED;
            }
            context.out().println(date == null ? messages.text("cli.run-job.done", "name", name)
                    : messages.text("cli.run-job.done-for", "name", name, "date", date));
            return Dangan.OK;
        }
    }

    /** A job as the list shows it: when its schedule fires it (a cron, or null when none does) and what it does. */
    record Job(String schedule, String description) {
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]+)}}");

    /**
     * The jobs, by name, with their schedules and descriptions, read as YAML from the route files (no Camel context
     * needed to list them): the routes named {@code job-NAME}, and the {@code scheduled-job} template's routes that
     * fire them on {@code dangan.jobs.NAME.cron}. Placeholders in a description are filled from the settings.
     */
    static Map<String, Job> jobs(Settings settings) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, String> descriptions = new TreeMap<>();
        Set<String> scheduled = new HashSet<>();
        Path folder = DanganService.routesFolder(settings);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.yaml")) {
            for (Path file : files) {
                JsonNode entries = yaml.readTree(file.toFile());
                if (entries == null || !entries.isArray()) continue;
                for (JsonNode entry : entries) {
                    JsonNode templated = entry.get("templatedRoute");
                    if (templated != null && "scheduled-job".equals(templated.path("routeTemplateRef").asText())) {
                        for (JsonNode parameter : templated.path("parameters")) {
                            if ("job".equals(parameter.path("name").asText())) scheduled.add(parameter.path("value").asText());
                        }
                    }
                    JsonNode route = entry.get("route");
                    if (route == null) continue;
                    String id = route.path("id").asText("");
                    if (id.startsWith(JOB_PREFIX)) {
                        descriptions.put(id.substring(JOB_PREFIX.length()), route.path("description").asText(""));
                    }
                }
            }
        }
        Map<String, Job> jobs = new LinkedHashMap<>();
        Messages messages = Messages.of(settings);
        descriptions.forEach((job, description) -> jobs.put(job, new Job(
                scheduled.contains(job) ? settings.get("dangan.jobs." + job + ".cron") : null,
                JobAbout.of(messages, job, PLACEHOLDER.matcher(description)
                        .replaceAll(m -> Matcher.quoteReplacement(settings.get(m.group(1), m.group())))))));
        return jobs;
    }
}
