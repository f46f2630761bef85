package dangan.archive;

import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.access.Role;
import dangan.privacy.SensitiveFields;
import dangan.rules.RuleException;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Review before filing (D-16): changes held by the merge (low-trust source, or a contradiction of
 * the customer's identity) and archives opened from a low-trust source wait here until a person
 * accepts or rejects them. Every decision is recorded with who made it; accepted changes go to
 * the change register (D-27).
 *
 * <p>A value of a column whose heading looks sensitive (issue 10) waits as {@code held:<heading>}, sealed under
 * its customer's key ({@code proposed_enc}), never in clear. Only a manager accepts one (D-24: the manager's view
 * is the one that holds health and identity; D-16: a supervisor files), naming where it goes ({@link Filing}):
 * health or allergies (a health fact, sealed) or an extra attribute (in clear, as the reviewer judged it not
 * sensitive). Rejected by a manager or keeper, the sealed value is discarded; accepted, it leaves the queue for
 * where it was filed.
 */
public final class ReviewQueue {

    /** The archive columns a held change may set; a held change names one of these or an extra attribute. */
    private static final Map<String, String> COLUMNS = Map.of(
            "name", "name = :value", "gender", "gender = :value", "birth_date", "birth_date = :value::date",
            "mobile", "mobile = :value", "email", "email = :value", "address", "address = :value",
            "employer", "employer = :value", "job_title", "job_title = :value", "nationality", "nationality = :value");

    /** The prefix of a held column's field: {@code held:<heading>}. */
    public static final String HELD = "held:";

    private final Jdbi jdbi;
    /** The language of the change register's reasons a decision writes ({@code dangan.locale}). */
    private final Messages messages;
    private final SensitiveFields sensitive;

    /** A queue whose decisions write their change-register reasons in Simplified Chinese (the default language). */
    public ReviewQueue(DataSource dataSource) {
        this(dataSource, Messages.of(Language.ZH));
    }

    /** A queue whose decisions write their change-register reasons in the language of {@code messages}. */
    public ReviewQueue(DataSource dataSource, Messages messages) {
        this(dataSource, messages, null);
    }

    /**
     * @param messages  the language of the change register's reasons a decision writes
     * @param sensitive opens held values accepted as an extra attribute (null: such an acceptance is refused)
     */
    public ReviewQueue(DataSource dataSource, Messages messages, SensitiveFields sensitive) {
        this.jdbi = Db.jdbi(dataSource);
        this.messages = messages;
        this.sensitive = sensitive;
    }

    /**
     * Where an accepted held column goes ({@code --as}, {@code {"as": …}}): {@code health} or {@code allergies}, a
     * sealed health fact of that kind ({@code note}, {@code allergy}); {@code extra} or {@code extra:NAME}, an extra
     * attribute under its heading or NAME.
     */
    public record Filing(String kind, String name) {

        /** The longest name of an extra attribute a reviewer may give. */
        static final int MAX_NAME = 100;

        /** Reads {@code --as}; null when not given; refused, naming what is taken, when it is none of them. */
        public static Filing parse(String as) {
            if (as == null || as.isBlank()) return null;
            String given = as.strip();
            if (given.equals("health")) return new Filing("note", null);
            if (given.equals("allergies") || given.equals("allergy")) return new Filing("allergy", null);
            if (given.equals("extra")) return new Filing("extra", null);
            if (given.startsWith("extra:")) {
                String name = dangan.normalise.Text.clean(given.substring("extra:".length()));
                if (name != null && name.length() <= MAX_NAME) return new Filing("extra", name);
            }
            throw RuleException.invalid("review.as.unknown", "as", given.length() > 40 ? given.substring(0, 40) + "…" : given);
        }

        boolean health() {
            return !kind.equals("extra");
        }

        /** As it is given: {@code health}, {@code allergies}, {@code extra}, {@code extra:NAME}. */
        public String label() {
            return switch (kind) {
                case "note" -> "health";
                case "allergy" -> "allergies";
                default -> name == null ? "extra" : "extra:" + name;
            };
        }
    }

    /** A change waiting for review, as a person reads it. */
    public record PendingChange(long id, String archiveNo, String field, String current, String currentSource,
                                Integer currentLine, String proposed, String reason, String source, Integer line) {
    }

    /** An archive opened from a low-trust source, waiting to be filed. */
    public record PendingArchive(String archiveNo, String name, String source) {
    }

    public List<PendingChange> pendingChanges() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select p.id, u.archive_no, p.field, p.current_value, cg.source_name as current_source,
                               p.current_source_line, p.proposed_value, p.reason, g.source_name as source, p.source_line
                        from pending_change p join customer u on u.id = p.customer_id
                        left join ingest g on g.id = p.source_ingest_id
                        left join ingest cg on cg.id = p.current_source_ingest_id
                        where p.status = 'pending' order by p.id""")
                .map((rs, ctx) -> new PendingChange(rs.getLong("id"), rs.getString("archive_no"), rs.getString("field"),
                        rs.getString("current_value"), rs.getString("current_source"),
                        (Integer) rs.getObject("current_source_line"), rs.getString("proposed_value"), rs.getString("reason"),
                        rs.getString("source"), (Integer) rs.getObject("source_line")))
                .list());
    }

    public List<PendingArchive> pendingArchives() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select u.archive_no, u.name, g.source_name from customer u left join ingest g on g.id = u.source_ingest_id
                        where u.review_status = 'pending' order by u.archive_no""")
                .map((rs, ctx) -> new PendingArchive(rs.getString("archive_no"), rs.getString("name"), rs.getString("source_name")))
                .list());
    }

    /** More work in a decision's transaction, before it commits (the API's audit entry): all of it commits, or none. */
    public interface Also {
        void in(Handle h);
    }

    /** Applies a held change to its archive and records it in the change register. */
    public void accept(long changeId, String reviewer) {
        accept(changeId, reviewer, h -> { });
    }

    public void accept(long changeId, String reviewer, Also also) {
        accept(changeId, reviewer, null, null, also);
    }

    /**
     * Applies a held change; a held column ({@code held:<heading>}) only by a manager and only with a
     * {@link Filing}, which no other change takes. Refusals are {@link RuleException}s; nothing is written.
     */
    public void accept(long changeId, String reviewer, Role role, Filing as, Also also) {
        jdbi.useTransaction(h -> {
            ArchiveLock.hold(h); // the archive is written: never between a merge's read of an archive and its update
            Held held = lockPending(h, changeId);
            boolean column = held.field().startsWith(HELD);
            if (!column && as != null) throw RuleException.invalid("review.as.not-held", "id", changeId);
            if (column && role != Role.MANAGER) {
                throw RuleException.notPermitted("review.held.manager-only", "id", changeId,
                        "role", role == null ? "-" : role.label());
            }
            if (column && as == null) {
                throw RuleException.invalid("review.held.as-needed", "id", changeId, "heading", held.field().substring(HELD.length()));
            }
            refuseSealed(h, held.customerId(), changeId);
            if (column) {
                fileHeldColumn(h, changeId, held, as, reviewer);
            } else if (held.field().startsWith("health:")) {
                fileHeldHealth(h, changeId); // held by dangan.consent.strict until consent to sensitive data
            } else {
                apply(h, held);
            }
            if (!column) {
                String heldFor = h.createQuery("select reason from pending_change where id = :id").bind("id", changeId)
                        .mapTo(String.class).one();
                h.createUpdate("""
                                insert into change_log (customer_id, field, old_value, new_value, changed_by, reason,
                                                        source_ingest_id, source_line)
                                select customer_id, field, current_value, proposed_value, :reviewer, :reason,
                                       source_ingest_id, source_line
                                from pending_change where id = :id""")
                        .bind("reviewer", reviewer).bind("id", changeId)
                        .bind("reason", messages.text("audit.change.review-accepted", "reason", heldFor == null ? "" : heldFor)).execute();
            }
            decide(h, changeId, "accepted", reviewer);
            also.in(h);
        });
    }

    /** Rejects a held change: the archive keeps its value; the decision is kept. */
    public void reject(long changeId, String reviewer) {
        reject(changeId, reviewer, h -> { });
    }

    public void reject(long changeId, String reviewer, Also also) {
        jdbi.useTransaction(h -> {
            Held held = lockPending(h, changeId);
            decide(h, changeId, "rejected", reviewer);
            if (held.field().startsWith(HELD)) discard(h, changeId); // a held column's value is not kept once rejected
            also.in(h);
        });
    }

    /** Files an archive opened from a low-trust source; returns false when no such archive waits. */
    public boolean file(String archiveNo, String reviewer) {
        return file(archiveNo, reviewer, h -> { });
    }

    public boolean file(String archiveNo, String reviewer, Also also) {
        return jdbi.inTransaction(h -> {
            ArchiveLock.hold(h);
            Optional<Long> filed = h.createQuery("update customer set review_status = 'filed', updated_at = now()"
                            + " where archive_no = :no and review_status = 'pending'"
                            // a sealed archive is read-only (D-32); the trigger does not guard review_status
                            + " and sealed_at is null and status <> 'sealed' returning id")
                    .bind("no", archiveNo).mapTo(Long.class).findOne();
            if (filed.isEmpty()) return false;
            ChangeLog.write(h, ChangeLog.Change.of(filed.get(), "review_status", "pending", "filed", reviewer,
                    messages.text("audit.change.review-filed")));
            also.in(h);
            return true;
        });
    }

    private record Held(long customerId, String field, String proposed, byte[] hash, byte[] enc) {
    }

    /**
     * The trigger on {@code customer} guards its own columns only; a held health fact would go into
     * another table. Refused here for every kind of held change, before anything is written.
     */
    private static void refuseSealed(Handle h, long customerId, long changeId) {
        h.createQuery("select archive_no from customer where id = :id and (sealed_at is not null or status = 'sealed') for share")
                .bind("id", customerId).mapTo(String.class).findOne()
                .ifPresent(archiveNo -> {
                    throw RuleException.conflict("refusal.review.sealed", "id", changeId, "archive", archiveNo);
                });
    }

    private static Held lockPending(Handle h, long changeId) {
        return h.createQuery("select customer_id, field, proposed_value, proposed_hash, proposed_enc from pending_change"
                        + " where id = :id and status = 'pending' for update")
                .bind("id", changeId)
                .map((rs, ctx) -> new Held(rs.getLong("customer_id"), rs.getString("field"), rs.getString("proposed_value"),
                        rs.getBytes("proposed_hash"), rs.getBytes("proposed_enc")))
                .findOne()
                .orElseThrow(() -> RuleException.notFound("refusal.review.none", "id", changeId));
    }

    /** A health fact held for want of consent to sensitive data (dangan.consent.strict) joins the archive. */
    private static void fileHeldHealth(Handle h, long changeId) {
        h.createUpdate("""
                        insert into health_fact (customer_id, kind, detail_enc, fact_key, source_ingest_id, source_line)
                        select customer_id, substr(field, 8), proposed_enc, proposed_hash, source_ingest_id, source_line
                        from pending_change where id = :id
                        on conflict (customer_id, kind, fact_key) do nothing""")
                .bind("id", changeId).execute();
    }

    /**
     * A held column's value joins the archive where the reviewer said: a health fact (sealed as it waited, once by
     * its blind index) or an extra attribute (opened). The change register names where it went; a health value
     * stays {@code ***} there. The queue keeps no copy.
     */
    private void fileHeldColumn(Handle h, long changeId, Held held, Filing as, String reviewer) {
        String heading = held.field().substring(HELD.length());
        String field;
        String shown;
        if (as.health()) {
            h.createUpdate("""
                            insert into health_fact (customer_id, kind, detail_enc, fact_key, source_ingest_id, source_line)
                            select customer_id, :kind, proposed_enc, proposed_hash, source_ingest_id, source_line
                            from pending_change where id = :id
                            on conflict (customer_id, kind, fact_key) do nothing""")
                    .bind("kind", as.kind()).bind("id", changeId).execute();
            field = "health:" + as.kind();
            shown = "***";
        } else {
            if (sensitive == null) throw new IllegalStateException("ReviewQueue without SensitiveFields cannot open a held value");
            String name = as.name() == null ? heading : as.name();
            shown = sensitive.decrypt(h, held.enc());
            h.createUpdate("update customer set extra = coalesce(extra, '{}'::jsonb) || jsonb_build_object(:key::text, :value::text),"
                            + " updated_at = now() where id = :id")
                    .bind("key", name).bind("value", shown).bind("id", held.customerId()).execute();
            field = "extra." + name;
        }
        h.createUpdate("""
                        insert into change_log (customer_id, field, old_value, new_value, changed_by, reason,
                                                source_ingest_id, source_line)
                        select customer_id, :field, null, :shown, :reviewer, :reason, source_ingest_id, source_line
                        from pending_change where id = :id""")
                .bind("field", field).bind("shown", shown).bind("reviewer", reviewer)
                .bind("reason", messages.text("audit.change.review-held", "heading", heading, "as", as.label()))
                .bind("id", changeId).execute();
        discard(h, changeId);
    }

    /** The sealed value of a decided held column leaves the queue. */
    private static void discard(Handle h, long changeId) {
        h.createUpdate("update pending_change set proposed_enc = null, proposed_hash = null where id = :id")
                .bind("id", changeId).execute();
    }

    private static void apply(Handle h, Held held) {
        if (held.field().equals("id_number")) {
            h.createUpdate("update customer set id_number_hash = :hash, id_number_enc = :enc, id_number_masked = :masked,"
                            + " updated_at = now() where id = :id")
                    .bind("hash", held.hash()).bind("enc", held.enc()).bind("masked", held.proposed())
                    .bind("id", held.customerId()).execute();
        } else if (held.field().startsWith("extra.")) {
            h.createUpdate("update customer set extra = extra || jsonb_build_object(:key::text, :value::text),"
                            + " updated_at = now() where id = :id")
                    .bind("key", held.field().substring("extra.".length())).bind("value", held.proposed())
                    .bind("id", held.customerId()).execute();
        } else {
            String assignment = COLUMNS.get(held.field());
            if (assignment == null) throw new IllegalStateException("Unknown field in pending change: " + held.field());
            h.createUpdate("update customer set " + assignment + ", updated_at = now() where id = :id")
                    .bind("value", held.proposed()).bind("id", held.customerId()).execute();
        }
    }

    private static void decide(Handle h, long changeId, String status, String reviewer) {
        h.createUpdate("update pending_change set status = :status, decided_by = :reviewer, decided_at = now() where id = :id")
                .bind("status", status).bind("reviewer", reviewer).bind("id", changeId).execute();
    }
}
