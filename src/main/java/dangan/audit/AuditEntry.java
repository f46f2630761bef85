package dangan.audit;

import dangan.i18n.Localized;

import java.util.List;

/**
 * One line of the audit trail (D-26): who did what to which archive, which categories of it,
 * for what purpose, through which access grant, and how it ended. {@code detail} never carries
 * health data or ID numbers in clear. The detail is a message of the bundles (area {@code audit},
 * {@code audit_zh.properties} / {@code _en}), said by the trail in the configured language when it is
 * written ({@code dangan.locale}); {@code action} stays a stable code that the API and console filter on.
 */
public record AuditEntry(String actor, String role, String action, String archiveNo, List<String> categories,
                         String purpose, Long grantId, String outcome, Localized detail) {

    public static final String OK = "ok";
    public static final String DENIED = "denied";
    public static final String ERROR = "error";

    public AuditEntry {
        if (actor == null || actor.isBlank()) throw new IllegalArgumentException("an audit entry needs an actor");
        if (action == null || action.isBlank()) throw new IllegalArgumentException("an audit entry needs an action");
        if (!OK.equals(outcome) && !DENIED.equals(outcome) && !ERROR.equals(outcome)) {
            throw new IllegalArgumentException("outcome must be ok, denied or error, not " + outcome);
        }
        categories = categories == null ? List.of() : List.copyOf(categories);
    }

    /** What a scheduled job or command does without a person behind it. */
    public static AuditEntry system(String job, String action, String archiveNo, Localized detail) {
        return new AuditEntry("system:" + job, null, action, archiveNo, List.of(), null, null, OK, detail);
    }
}
