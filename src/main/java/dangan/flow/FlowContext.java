package dangan.flow;

import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.intake.ArchiveIntake;
import dangan.intake.IntakeTally;
import dangan.metrics.Metrics;
import dangan.privacy.SensitiveFields;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What a flow gets to wire itself: configuration, the archive store, the shared intake, the bean registry,
 * the metrics, the one audit trail of the service (keyed with the master key), and {@code views}: the categories
 * (labels) the role with a given label sees of an archive (D-24, access.RoleViews; an unknown role is an
 * {@link IllegalArgumentException}) — for flows below the access capability, such as notify.
 */
public record FlowContext(Settings settings, DataSource dataSource, SensitiveFields sensitive, ArchiveIntake intake,
                          IntakeTally tally, BiConsumer<String, Object> registry, Metrics metrics, AuditTrail audit,
                          Function<String, Set<String>> views) {

    /** DANGAN_HOME. */
    public Path home() {
        return settings.home();
    }

    public void bind(String name, Object bean) {
        registry.accept(name, bean);
    }
}
