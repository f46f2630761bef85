package dangan.jobs;

import dangan.config.Settings;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The schedule: Quartz with its JDBC job store in the archive database, clustered, under the same
 * scheduler name on every instance — so several instances on one database fire each job once.
 * Job schedules are the {@code schedule-*} routes ({@code quartz:dangan/NAME?cron=…}).
 */
public final class Scheduling {

    private Scheduling() {
    }

    /** A Camel Quartz component on the archive database's connection pool. */
    public static QuartzComponent component(Settings settings, DataSource dataSource) throws SchedulerException {
        String name = settings.get("dangan.jobs.scheduler-name", "dangan");
        String provider = "dangan-archive-" + System.identityHashCode(dataSource);
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(settings.getInt("dangan.jobs.threads", 4)));
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", provider);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval",
                String.valueOf(settings.getInt("dangan.jobs.cluster-checkin-ms", 5000)));
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        // Quartz keeps schedulers in a JVM-wide registry by name; this instance is ours alone
        // (two services in one JVM, as in tests, each get their own member of the cluster). Made
        // and taken out of the registry in one step: a service starting at the same moment in
        // another thread must not be handed this one by name. Quartz's connection-provider registry
        // is a plain HashMap: providers are added under the same lock, never two at once.
        Scheduler scheduler;
        SchedulerRepository registry = SchedulerRepository.getInstance();
        synchronized (registry) {
            DBConnectionManager.getInstance().addConnectionProvider(provider, new PoolProvider(dataSource));
            scheduler = new StdSchedulerFactory(p).getScheduler();
            registry.remove(name);
        }
        QuartzComponent quartz = new QuartzComponent();
        quartz.setScheduler(scheduler);
        quartz.setAutoStartScheduler(settings.getBoolean("dangan.jobs.enabled", true));
        return quartz;
    }

    /** Hands Quartz connections from the archive pool. */
    private record PoolProvider(DataSource dataSource) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool belongs to the service
        }

        @Override
        public void initialize() {
            // nothing to prepare
        }
    }
}
