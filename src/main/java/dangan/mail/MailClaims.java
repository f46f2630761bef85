package dangan.mail;

import dangan.intake.IntakeRecovery;
import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The claim ledger of the mailbox, the source of truth for which mail was taken: rows of
 * {@code camel_messageprocessed} keyed by the mail's Message-ID, shared by every instance on the archive
 * database. A mail is <em>claimed</em> ({@value #CLAIM}) when a poll takes it, and <em>answered</em> once it
 * has been filed and its reply sent — {@value MailFlow#PROCESSOR_NAME} when it belongs in the processed
 * folder, {@value #ANSWERED_FAILED} in the failed folder — before it is moved. An answered mail is never
 * filed or answered again: if its move failed, the next poll finds it still in the inbox and only moves
 * it. A failed attempt drops the claim (the mail is taken again); a claim left behind by an instance that
 * died in the middle of a mail is released when an instance starts ({@link #releaseGone}: no session of the
 * database carries the dead instance's name any more), and a claim of an instance that lives but stalls is taken
 * over after {@code staleAfter}.
 */
final class MailClaims {

    static final String CLAIM = MailFlow.PROCESSOR_NAME + ":claim";
    static final String ANSWERED_FAILED = MailFlow.PROCESSOR_NAME + ":failed";

    /** What the ledger knows of a mail. */
    enum State { CLAIMED, ANSWERED, ANSWERED_FAILED }

    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final Duration staleAfter;

    MailClaims(DataSource dataSource, Duration staleAfter) {
        this.dataSource = dataSource;
        this.jdbi = Db.jdbi(dataSource);
        this.staleAfter = staleAfter;
    }

    /** The ledger's state of each of these mails that it knows (a claim gone stale counts as unknown). */
    Map<String, State> known(Collection<String> keys) {
        Map<String, State> known = new HashMap<>();
        if (keys.isEmpty()) return known;
        jdbi.useHandle(h -> h.createQuery("""
                        select messageid, processorname from camel_messageprocessed
                        where processorname in (:answered, :answeredFailed, :claim) and messageid = any(:keys)
                          and (processorname <> :claim or createdat >= localtimestamp - make_interval(secs => :stale))""")
                .bind("answered", MailFlow.PROCESSOR_NAME).bind("answeredFailed", ANSWERED_FAILED).bind("claim", CLAIM)
                .bindArray("keys", String.class, keys).bind("stale", (double) staleAfter.toSeconds())
                .map((rs, ctx) -> Map.entry(rs.getString(1), state(rs.getString(2))))
                .forEach(e -> known.put(e.getKey(), e.getValue())));
        return known;
    }

    /** Claims these mails in one transaction; returns the ones this instance now holds (another may have won some). */
    List<String> claim(Collection<String> keys) {
        if (keys.isEmpty()) return List.of();
        return jdbi.inTransaction(h -> {
            h.createUpdate("""
                            delete from camel_messageprocessed where processorname = :claim and messageid = any(:keys)
                              and createdat < localtimestamp - make_interval(secs => :stale)""")
                    .bind("claim", CLAIM).bindArray("keys", String.class, keys).bind("stale", (double) staleAfter.toSeconds()).execute();
            return h.createQuery("""
                            insert into camel_messageprocessed (processorname, messageid, createdat)
                            select :claim, k, localtimestamp from unnest(:keys) as k
                            where not exists (select 1 from camel_messageprocessed m
                                              where m.messageid = k and m.processorname in (:answered, :answeredFailed, :claim))
                            on conflict do nothing
                            returning messageid""")
                    .bind("claim", CLAIM).bind("answered", MailFlow.PROCESSOR_NAME).bind("answeredFailed", ANSWERED_FAILED)
                    .bindArray("keys", String.class, keys).mapTo(String.class).list();
        });
    }

    /** Records these claimed mails as answered, each with the folder it belongs in (true: the failed folder). */
    void answered(Map<String, Boolean> failedByKey) {
        if (failedByKey.isEmpty()) return;
        List<String> keys = List.copyOf(failedByKey.keySet());
        Boolean[] failed = keys.stream().map(failedByKey::get).toArray(Boolean[]::new);
        jdbi.useHandle(h -> h.createUpdate("""
                        update camel_messageprocessed m set processorname = case when a.failed then :answeredFailed else :answered end,
                               createdat = localtimestamp
                        from unnest(:keys, :failed) as a(key, failed)
                        where m.processorname = :claim and m.messageid = a.key""")
                .bind("answered", MailFlow.PROCESSOR_NAME).bind("answeredFailed", ANSWERED_FAILED).bind("claim", CLAIM)
                .bindArray("keys", String.class, keys).bindArray("failed", Boolean.class, (Object[]) failed).execute());
    }

    /**
     * Drops the claims of instances that are gone (killed, crashed; see {@link IntakeRecovery}): at start, before the
     * first poll, so their mails are taken again at once rather than after {@code staleAfter}. How many.
     */
    int releaseGone() {
        return IntakeRecovery.releaseClaimsOfGone(dataSource, CLAIM);
    }

    /** Drops these claims: the mails are taken again by the next poll. */
    void release(Collection<String> keys) {
        if (keys.isEmpty()) return;
        jdbi.useHandle(h -> h.createUpdate("delete from camel_messageprocessed where processorname = :claim and messageid = any(:keys)")
                .bind("claim", CLAIM).bindArray("keys", String.class, keys).execute());
    }

    private static State state(String processor) {
        if (processor.equals(CLAIM)) return State.CLAIMED;
        return processor.equals(ANSWERED_FAILED) ? State.ANSWERED_FAILED : State.ANSWERED;
    }
}
