package dangan.app;

import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.audit.Exposure;
import dangan.i18n.Localized;
import dangan.rules.RuleException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.sql.DataSource;
import java.util.EnumSet;
import java.util.List;

/**
 * {@code --by NAME}, for every command that acts for someone (review, tiers, ingest revert and
 * original, notifications retry, keys reseal): the named member of staff must exist, be active and hold a
 * role the command needs, as the API would ask of them; the audit entry names them and their role. A
 * refusal is audited too, as the API audits a refused call: actor the account at the keyboard
 * ({@code cli:<os user>}), outcome {@code denied}, the command, the name given and why. One picocli mixin for all.
 */
final class ActingFor {

    @Option(names = "--by", paramLabel = "NAME", required = true, descriptionKey = "by")
    String name;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Who acts, as checked. */
    record Actor(String name, String role) {
    }

    /**
     * The named member of staff, checked: refused (a {@link RuleException}, exit 1, and a {@code denied} entry in the
     * audit log) unless active with one of {@code roles}.
     */
    Actor check(DataSource dataSource, AuditTrail audit, Role... roles) {
        try {
            Role role = new StaffDirectory(dataSource, audit).actor(name, EnumSet.copyOf(List.of(roles)));
            return new Actor(name, role.label());
        } catch (RuleException refused) {
            Object reason = refused.key() == null ? refused.getMessage() : Localized.of(refused.key(), refused.arguments());
            audit.record(new AuditEntry(Exposure.cliActor(), null, "denied", null, List.of(), null, null, AuditEntry.DENIED,
                    Localized.of("audit.by.denied", "command", command.qualifiedName(), "name", name, "reason", reason)));
            throw refused;
        }
    }
}
