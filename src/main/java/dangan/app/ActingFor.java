package dangan.app;

import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.audit.AuditTrail;
import picocli.CommandLine.Option;

import javax.sql.DataSource;
import java.util.EnumSet;
import java.util.List;

/**
 * {@code --by NAME}, for every command that acts for someone (review, tiers, ingest revert and
 * original): the named member of staff must exist, be active and hold a role the command needs, as the
 * API would ask of them; the audit entry names them and their role. One picocli mixin for all.
 */
final class ActingFor {

    @Option(names = "--by", paramLabel = "NAME", required = true, descriptionKey = "by")
    String name;

    /** Who acts, as checked. */
    record Actor(String name, String role) {
    }

    /** The named member of staff, checked: refused (a {@link dangan.rules.RuleException}, exit 1) unless active with one of {@code roles}. */
    Actor check(DataSource dataSource, AuditTrail audit, Role... roles) {
        Role role = new StaffDirectory(dataSource, audit).actor(name, EnumSet.copyOf(List.of(roles)));
        return new Actor(name, role.label());
    }
}
