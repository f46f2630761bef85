package dangan.contracts;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dangan.config.Settings;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Supplier;

/**
 * Contracts (D-10), routes/contracts.yaml: the contracts system's database polled over JDBC
 * (bean {@code contractsPoll}, route {@code contracts-poll}), and contract exports dropped as
 * CSV/XLSX into inbox/contracts (route {@code contracts-files}, the shared spreadsheet intake).
 */
public final class ContractsFlow implements Flow {

    private static final Logger LOG = LoggerFactory.getLogger(ContractsFlow.class);

    private ContractsPoll poll;

    @Override
    public void bind(FlowContext context) {
        Settings settings = context.settings();
        String url = settings.get("dangan.contracts.db.url");
        Supplier<HikariDataSource> pool = null;
        ContractsQuery query = null;
        if (url == null) {
            LOG.info(context.intake().messages().text("log.contracts.off", "folder", context.home().resolve("inbox").resolve("contracts").toString()));
        } else {
            query = ContractsQuery.parse(settings.get(ContractsQuery.KEY));
            pool = () -> pool(settings, url);
            LOG.info(context.intake().messages().text("log.contracts.on", "url", masked(url), "ms", settings.get("dangan.contracts.poll-ms", "60000")));
        }
        poll = new ContractsPoll(pool, url == null ? null : masked(url), query, settings.getInt("dangan.contracts.fetch-size", 1000),
                new WatermarkStore(context.dataSource(), ContractsPoll.SOURCE), context.intake(), context.tally(),
                context.home().resolve("outbox").resolve("rejects"),
                settings.zone(), Clock.systemUTC());
        context.bind("contractsPoll", poll);
    }

    /** A small pool of read-only connections; it connects on the first poll, so a down system does not stop start-up. */
    private static HikariDataSource pool(Settings settings, String url) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("dangan-contracts");
        config.setJdbcUrl(url);
        config.setUsername(settings.get("dangan.contracts.db.user"));
        config.setPassword(settings.get("dangan.contracts.db.password"));
        config.setMaximumPoolSize(settings.getInt("dangan.contracts.db.pool-size", 2));
        config.setMinimumIdle(0);
        config.setReadOnly(true);
        config.setInitializationFailTimeout(-1);
        config.setConnectionTimeout(settings.getInt("dangan.contracts.db.connect-timeout-ms", 10_000));
        return new HikariDataSource(config);
    }

    private static String masked(String url) {
        return url.replaceAll("(?i)password=[^&;]*", "password=***");
    }

    @Override
    public List<String> inboxes() {
        return List.of("contracts");
    }

    /** {@code --once}: the database has been polled once since start-up (or the source is off). */
    @Override
    public boolean drained() {
        return poll == null || !poll.enabled() || poll.polledOnce();
    }
}
