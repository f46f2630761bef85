package dangan.bench;

import dangan.app.DanganService;
import dangan.config.Settings;
import dangan.notify.DeliveryBook;
import dangan.notify.NotifyFlow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How long the relay takes to claim the next messages of one work-chat robot (its rate window and
 * its queue in event order) when {@code notification_delivery} holds [deliveries] rows of history
 * (default 1,000,000, half to the robot, half to another subscriber, over the last 30 days) and 25
 * messages wait. Each round claims and puts the messages back; the median of 20 rounds is reported.
 * Usage: bench/relay.sh [deliveries]
 */
public final class RelayBenchmark {

    private RelayBenchmark() {
    }

    public static void main(String[] args) {
        Benchmark.main(args, RelayBenchmark::run);
    }

    private static void run(String[] args) throws Exception {
        long deliveries = Benchmark.count(args, 0, 1_000_000);
        Path work = Files.createTempDirectory("dangan-relay-bench-");
        Map<String, String> fixed = new HashMap<>();
        fixed.put("dangan.home", work.resolve("home").toString());
        fixed.put("dangan.db.embedded.durable", "false");
        fixed.put("dangan.master-key", Base64.getEncoder().encodeToString(new byte[32]));
        fixed.put("dangan.db.url", "");
        Settings settings = DanganService.offTheServicePort(Settings.load(Path.of("config", "application.properties"),
                System.getenv(), System.getProperties()).with(fixed));
        try (DanganService service = DanganService.start(settings)) {
            var dataSource = service.database().dataSource();
            long t0 = System.nanoTime();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("""
                        insert into notification_event (kind, payload, created_at, relayed_at)
                        select 'tier_changed', '{}'::jsonb, now() - make_interval(secs => g * 2592000.0 / %d), now()
                        from generate_series(1, %d) g""".formatted(deliveries, deliveries));
                s.execute("""
                        insert into notification_delivery (event_id, subscriber, status, attempts, next_attempt_at, last_attempt_at,
                                                           delivered_at, created_at)
                        select id, case when random() < 0.5 then 'robot' else 'other' end, 'delivered', 1, created_at, created_at,
                               created_at, created_at
                        from notification_event""");
                s.execute("""
                        with waiting as (
                            insert into notification_event (kind, payload, created_at, relayed_at)
                            select 'tier_changed', '{}'::jsonb, now() + make_interval(secs => g), now() from generate_series(1, 25) g
                            returning id)
                        insert into notification_delivery (event_id, subscriber, next_attempt_at) select id, 'robot', now() from waiting""");
                s.execute("analyze notification_event");
                s.execute("analyze notification_delivery");
            }
            System.out.printf("generated %,d deliveries in %.1f s%n", deliveries, (System.nanoTime() - t0) / 1e9);
            DeliveryBook book = NotifyFlow.book(dataSource, settings);
            List<Double> times = new ArrayList<>();
            for (int round = 0; round < 21; round++) {
                Instant now = Instant.now().plusSeconds(60L * round + 30);
                long t = System.nanoTime();
                List<DeliveryBook.Delivery> claimed = book.claimInOrder("robot", 20, now);
                double ms = (System.nanoTime() - t) / 1e6;
                if (claimed.size() != 20) throw new IllegalStateException("claimed " + claimed.size() + ", not 20");
                for (DeliveryBook.Delivery d : claimed) book.released(d, now);
                if (round > 0) times.add(ms); // the first warms the caches
            }
            times.sort(Double::compare);
            System.out.printf("claim the next 20 of one robot (rate window + queue in order): median %.2f ms, max %.2f ms over %d rounds%n",
                    times.get(times.size() / 2), times.get(times.size() - 1), times.size());
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("explain (analyze, buffers) select count(*) from notification_delivery "
                         + "where subscriber = 'robot' and last_attempt_at > now() - interval '60 seconds' and last_attempt_at <= now()");
                 var rs = ps.executeQuery()) {
                System.out.println("the rate window's count:");
                while (rs.next()) System.out.println("  " + rs.getString(1));
            }
        }
    }
}
