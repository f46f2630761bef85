package dangan.app;

import dangan.config.Settings;
import dangan.jobs.JobDate;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Route;

import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * {@code run-job NAME [--date YYYY-MM-DD]} runs one scheduled job now, as if the given day had
 * come; {@code run-job --list} names them. The service starts with no consumer running (no drop
 * folder, mailbox, poll, HTTP or schedule): only the in-process ({@code direct:}) routes, so the
 * job's output lands exactly where its schedule would put it and nothing else happens.
 */
final class RunJobCommand {

    static final String USAGE = """
              run-job --list                    the scheduled jobs
              run-job NAME [--date YYYY-MM-DD]  run one now, as if that day had come""";

    private static final String JOB_PREFIX = "job-";

    private RunJobCommand() {
    }

    static int run(Settings settings, List<String> args, PrintStream out) throws Exception {
        if (args.isEmpty()) {
            out.println("Usage:\n" + USAGE);
            return 64;
        }
        LocalDate date = null;
        String name = null;
        boolean list = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--list")) {
                list = true;
            } else if (arg.equals("--date") && i + 1 < args.size()) {
                try {
                    date = LocalDate.parse(args.get(++i));
                } catch (DateTimeParseException e) {
                    out.println("--date takes a day as YYYY-MM-DD, not '" + args.get(i) + "'");
                    return 64;
                }
            } else {
                name = arg;
            }
        }
        settings = DanganService.offTheServicePort(settings)
                .with(Map.of("camel.main.autoStartup", "false", "dangan.jobs.enabled", "false"));
        try (DanganService service = DanganService.start(settings)) {
            CamelContext camel = service.camelContext();
            List<Route> jobs = camel.getRoutes().stream().filter(r -> r.getRouteId().startsWith(JOB_PREFIX))
                    .sorted((a, b) -> a.getRouteId().compareTo(b.getRouteId())).toList();
            if (list || name == null) {
                out.println("Scheduled jobs (run one with: run-job NAME [--date YYYY-MM-DD]):");
                for (Route job : jobs) {
                    out.printf("  %-22s %s%n", job.getRouteId().substring(JOB_PREFIX.length()),
                            job.getDescription() == null ? "" : job.getDescription());
                }
                return list ? 0 : 64;
            }
            String routeId = JOB_PREFIX + name;
            if (jobs.stream().noneMatch(r -> r.getRouteId().equals(routeId))) {
                out.println("No job named '" + name + "'; run-job --list names them");
                return 64;
            }
            for (Route route : camel.getRoutes()) {
                if (route.getEndpoint().getEndpointUri().startsWith("direct:")) {
                    camel.getRouteController().startRoute(route.getRouteId());
                }
            }
            LocalDate day = date;
            try {
                camel.createProducerTemplate().sendBodyAndHeader("direct:" + routeId, null, JobDate.HEADER, day);
            } catch (CamelExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                out.println("Job " + name + " failed: " + cause.getMessage());
                return 1;
            }
            out.println("Job " + name + " done" + (day == null ? "" : " for " + day));
            return 0;
        }
    }
}
