package dangan.health;

import dangan.i18n.Messages;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Readiness: the archive database answers a {@code select 1} through the service's own pool within
 * {@code dangan.health.database-timeout-ms}. Not a liveness check: a database that went away makes
 * the instance unready (no traffic), not dead (no restart). A slow pool never holds a probe longer
 * than the timeout; while one check is still waiting, the next probe waits on the same one instead
 * of queueing another connection request.
 */
public final class DatabaseCheck extends AbstractHealthCheck {

    public static final String ID = "database";
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseCheck.class);

    private final Jdbi jdbi;
    private final Duration timeout;
    private final Messages messages;
    private final ThreadPoolExecutor prober = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "dangan-health-database");
        t.setDaemon(true);
        return t;
    });
    private Future<?> inFlight;
    private volatile boolean wasUp = true;

    public DatabaseCheck(DataSource dataSource, Duration timeout, Messages messages) {
        super(HealthAnswers.OURS, ID);
        this.jdbi = Db.jdbi(dataSource);
        this.timeout = timeout;
        this.messages = messages;
        prober.allowCoreThreadTimeOut(true); // no thread kept between probes
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Future<?> probe = probe();
        try {
            probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!wasUp) LOG.info(messages.text("log.health.up"));
            wasUp = true;
            builder.up();
        } catch (TimeoutException e) {
            String slow = messages.text("health.database-slow", "ms", timeout.toMillis());
            down(builder, slow, slow);
        } catch (ExecutionException e) {
            // the driver's text can name the host and user: the log has it, the answer says only that it failed
            down(builder, messages.text("health.database-down"), String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            down(builder, messages.text("health.database-down"), messages.text("health.database-down"));
        }
    }

    private void down(HealthCheckResultBuilder builder, String message, String cause) {
        if (wasUp) LOG.warn(messages.text("log.health.down", "problem", cause));
        wasUp = false;
        builder.down().message(message);
    }

    private synchronized Future<?> probe() {
        if (inFlight == null || inFlight.isDone()) {
            inFlight = prober.submit(() -> {
                return jdbi.withHandle(h -> h.createQuery("select 1")
                        .setQueryTimeout((int) Math.max(1, timeout.toSeconds())).mapTo(Integer.class).one());
            });
        }
        return inFlight;
    }
}
