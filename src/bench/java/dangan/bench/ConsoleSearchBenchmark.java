package dangan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.app.DanganService;
import dangan.config.Settings;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The console's look-up at scale (issue 13: a search answers in ≤ 300 ms at 1,000,000 archives):
 * files N generated registrations (the ingest benchmark's file) into a fresh Dangan, signs a
 * front-desk user in to the console over HTTP, and times the searches the look-up page sends —
 * by mobile, by a whole name, by the beginning of a name (two characters: thousands of matches,
 * the first 50 shown), by archive number — each over the real API with the session cookie,
 * authenticated and audited. Prints median, 95th percentile and slowest per kind.
 * Run with {@code bench/console-search.sh [archives] [searches]}.
 */
public final class ConsoleSearchBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConsoleSearchBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, ConsoleSearchBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        int rows = (int) Benchmark.count(args, 0, 1_000_000);
        int searches = (int) Benchmark.count(args, 1, 100);
        Path work = Benchmark.workDir("dangan-console-bench-");
        Path file = work.resolve("registrations-" + rows + ".csv");
        IngestBenchmark.generate(file, rows);
        Settings settings = Benchmark.freshService(work, Map.of());
        try (DanganService service = DanganService.start(settings)) {
            Path dropped = settings.home().resolve("inbox").resolve("registrations").resolve(file.getFileName());
            Files.move(file, dropped, StandardCopyOption.ATOMIC_MOVE);
            long t = System.nanoTime();
            while (Files.exists(dropped)) Thread.sleep(100);
            long archives;
            List<String> archiveNos = new ArrayList<>();
            try (Connection c = service.database().dataSource().getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("select count(*) from customer")) {
                    rs.next();
                    archives = rs.getLong(1);
                }
                try (ResultSet rs = s.executeQuery("select archive_no from customer order by random() limit " + searches)) {
                    while (rs.next()) archiveNos.add(rs.getString(1));
                }
                s.execute("analyze customer");
            }
            System.out.printf("archives filed              %,d (%.1f s from the drop)%n", archives, (System.nanoTime() - t) / 1e9);

            StaffDirectory staff = service.camelContext().getRegistry().lookupByNameAndType("staffDirectory", StaffDirectory.class);
            staff.addUser("bench.desk", Role.FRONT_DESK, "bench");
            staff.setPassword("bench.desk", "bench-password-1".toCharArray(), "bench");
            String base = "http://localhost:" + settings.require("dangan.http.port");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(URI.create(base + "/api/session"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"bench.desk\", \"password\": \"bench-password-1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (signIn.statusCode() != 200) throw new IllegalStateException("sign-in: " + signIn.statusCode() + " " + signIn.body());
            String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

            Random random = new Random(7);
            String[] surnames = {"王", "李", "张", "刘", "陈"};
            String[] given = {"伟", "芳", "娜", "敏", "静"};
            Map<String, List<String>> kinds = new java.util.LinkedHashMap<>();
            kinds.put("mobile", new ArrayList<>());
            kinds.put("whole name", new ArrayList<>());
            kinds.put("name beginning", new ArrayList<>());
            kinds.put("archive number", new ArrayList<>());
            for (int i = 0; i < searches; i++) {
                kinds.get("mobile").add("mobile=" + String.format("13%09d", random.nextInt(rows)));
                kinds.get("whole name").add("name=" + enc(surnames[random.nextInt(5)] + given[random.nextInt(5)] + given[random.nextInt(5)]));
                kinds.get("name beginning").add("name=" + enc(surnames[random.nextInt(5)] + given[random.nextInt(5)]));
                kinds.get("archive number").add("archive_no=" + archiveNos.get(i % archiveNos.size()));
            }
            System.out.printf("searches per kind           %d, one after another, over HTTP with the console's session cookie%n", searches);
            System.out.println("kind              median    p95       slowest   found (median)");
            for (Map.Entry<String, List<String>> kind : kinds.entrySet()) {
                for (int warm = 0; warm < 5; warm++) search(http, base, cookie, kind.getValue().get(warm));
                double[] ms = new double[searches];
                int[] found = new int[searches];
                for (int i = 0; i < searches; i++) {
                    long s = System.nanoTime();
                    found[i] = search(http, base, cookie, kind.getValue().get(i) + "&purpose=bench");
                    ms[i] = (System.nanoTime() - s) / 1e6;
                }
                Arrays.sort(ms);
                Arrays.sort(found);
                System.out.printf("%-16s  %6.1f ms %6.1f ms %6.1f ms %d%n", kind.getKey(), ms[searches / 2],
                        ms[(int) Math.ceil(searches * 0.95) - 1], ms[searches - 1], found[searches / 2]);
            }
        }
    }

    private static int search(HttpClient http, String base, String cookie, String query) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(base + "/api/archives?" + query))
                .header("Cookie", cookie).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (answer.statusCode() != 200) throw new IllegalStateException(query + ": " + answer.statusCode() + " " + answer.body());
        JsonNode json = JSON.readTree(answer.body());
        return json.get("count").asInt();
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
