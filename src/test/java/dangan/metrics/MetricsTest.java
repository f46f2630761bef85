package dangan.metrics;

import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real service files real files; {@code GET /metrics} (from this machine, no token: the default)
 * then has the file and line counters with exactly those files' outcomes, Camel's route metrics, the
 * failed login and the HTTP request by its declared route.
 */
@Tag("service")
class MetricsTest {

    @TempDir
    static Path home;
    static RunningService service;
    static ApiClient anonymous;

    /** Two new archives and one line without a name (rejected). */
    static final String MEMBERS = "姓名,手机,消费金额\n张伟,13800138000,100\n李娜,13900139000,200\n,13700137000,50\n";

    @BeforeAll
    static void start() throws Exception {
        // the exact figures after filing, however loaded the machine: a scrape waits for them (a slow database: ArchiveFiguresTest)
        service = RunningService.start(home, java.util.Map.of("dangan.metrics.figures-wait-ms", "60000"));
        anonymous = ApiClient.withToken(service, null);
        service.drop("members.csv", MEMBERS, StandardCharsets.UTF_8);
        assertThat(service.awaitHandled("members.csv").toString()).contains("done");
        service.drop("members-again.csv", MEMBERS, StandardCharsets.UTF_8); // same content, another name
        assertThat(service.awaitHandled("members-again.csv").toString()).contains("done");
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
    }

    @Test
    void filesAndLinesAreCountedPerChannelAndOutcome() throws Exception {
        Map<String, Double> m = scrape();
        assertThat(m.get("dangan_files_total{channel=\"registrations\",outcome=\"filed\"}")).isEqualTo(1.0);
        assertThat(m.get("dangan_files_total{channel=\"registrations\",outcome=\"duplicate\"}")).isEqualTo(1.0);
        assertThat(m).doesNotContainKey("dangan_files_total{channel=\"registrations\",outcome=\"failed\"}");
        assertThat(m.get("dangan_lines_total{channel=\"registrations\",outcome=\"new\"}")).isEqualTo(2.0);
        assertThat(m.get("dangan_lines_total{channel=\"registrations\",outcome=\"rejected\"}")).isEqualTo(1.0);
        assertThat(m.get("dangan_lines_total{channel=\"registrations\",outcome=\"updated\"}")).isEqualTo(0.0);
        assertThat(m.get("dangan_lines_total{channel=\"registrations\",outcome=\"duplicate\"}")).isEqualTo(0.0);
        assertThat(m.get("dangan_lines_total{channel=\"registrations\",outcome=\"review\"}")).isEqualTo(0.0);
        assertThat(m.get("dangan_ingest_duration_seconds_count{channel=\"registrations\"}")).isEqualTo(1.0);
        assertThat(m.get("dangan_files_last_filed_timestamp_seconds"))
                .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(600.0));
        assertThat(m.get("dangan_inbox_files{folder=\"registrations\"}")).isEqualTo(0.0);
        assertThat(m.get("dangan_review_queue")).isEqualTo(0.0);
        assertThat(m.get("dangan_notifications_parked")).isEqualTo(0.0);
    }

    @Test
    void camelsRouteMetricsAreThereToo() throws Exception {
        Map<String, Double> m = scrape();
        String registrations = m.keySet().stream()
                .filter(k -> k.startsWith("camel_exchanges_total{") && k.contains("routeId=\"registrations\""))
                .findFirst().orElseThrow(() -> new AssertionError("no camel_exchanges_total of route registrations in " + m.keySet()));
        assertThat(m.get(registrations)).isEqualTo(2.0);
    }

    @Test
    void aForgedTokenIsAFailedLoginAndTheRequestIsCountedByItsDeclaredRoute() throws Exception {
        double before = scrape().getOrDefault("dangan_logins_failed_total{kind=\"token\"}", 0.0);
        ApiClient forged = ApiClient.withToken(service, "not-a-token-of-anyone");
        assertThat(forged.get("/api/me").status()).isEqualTo(401);
        Map<String, Double> m = scrape();
        assertThat(m.get("dangan_logins_failed_total{kind=\"token\"}")).isEqualTo(before + 1);
        assertThat(m.get("dangan_http_requests_seconds_count{method=\"GET\",route=\"/api/me\",status=\"401\"}")).isGreaterThanOrEqualTo(1.0);
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("dangan_http_requests_seconds_bucket{") && k.contains("route=\"/api/me\""));
    }

    @Test
    void aJobRunAndTheRemindersItIssuedAreCounted() throws Exception {
        ApiClient admin = ApiClient.asNewUser(service, "ops.admin", dangan.access.Role.ADMIN);
        assertThat(admin.post("/api/jobs/visit-plan/run", "{}").status()).isEqualTo(200);
        Map<String, Double> m = scrape();
        assertThat(m.get("dangan_job_runs_seconds_count{job=\"visit-plan\",outcome=\"done\"}")).isEqualTo(1.0);
        assertThat(m.get("dangan_job_failures_total{job=\"visit-plan\"}")).isEqualTo(0.0);
        long issued = service.count("select count(*) from reminder where job = 'visit-plan'");
        assertThat(m.get("dangan_reminders_issued_total{job=\"visit-plan\"}")).isEqualTo((double) issued);
    }

    /** The metrics as name{labels, sorted} → value. */
    static Map<String, Double> scrape() throws Exception {
        ApiClient.Reply reply = anonymous.get("/metrics");
        assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        Map<String, Double> metrics = new HashMap<>();
        for (String line : reply.text().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            metrics.put(normalised(line.substring(0, space)), Double.parseDouble(line.substring(space + 1)));
        }
        return metrics;
    }

    private static String normalised(String series) {
        int brace = series.indexOf('{');
        if (brace < 0) return series;
        Set<String> labels = new TreeSet<>(Arrays.asList(series.substring(brace + 1, series.length() - 1).split(",(?=[a-zA-Z_]+=\")")));
        return series.substring(0, brace) + "{" + String.join(",", labels) + "}";
    }
}
