package dangan.retention;

import dangan.store.ForeignKeyWalk;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes every row of one customer from the archive (D-31), inside the caller's transaction.
 *
 * <p>Which rows: the {@link ForeignKeyWalk} from {@code customer} — every table with a foreign key
 * to {@code customer}, every table with a foreign key to such a table, and so on, loses the rows that
 * lead to the customer; children go before their parents, the {@code customer} row last. Foreign keys
 * declared {@code on delete set null} are left to PostgreSQL: those rows outlive the archive without
 * it (subject_request, destruction_proposal_line: archive number, no personal data). {@code customer_key} is one of the
 * tables: deleting its rows destroys the customer's keys, so every copy of the archive made before
 * (backups) holds nothing readable of the sensitive fields.
 *
 * <p>Rows that hold the customer's data without a foreign key, also deleted:
 * <ul>
 *   <li>{@code intake_issue}: the warnings of the lines the customer's rows came from (their
 *       provenance, {@code source_ingest_id}/{@code source_line}), and any issue naming the
 *       customer's archive number, mobile or email;</li>
 *   <li>{@code survey_review} (and its {@code survey_response}): responses still waiting, not linked
 *       to any archive, whose payload names the archive number, mobile or email.</li>
 * </ul>
 * Not touched: {@code ingest} (files and mails, no customer rows), {@code audit_log} (append-only;
 * archive numbers, no personal data), files already written under {@code outbox/}.
 */
public final class Destruction {

    private static final String ROOT = "customer";
    private static final String THE_CUSTOMER = "id = :customer";

    private static final String PROVENANCE_TABLES = """
            select table_name from information_schema.columns
            where table_schema = current_schema() and column_name in ('source_ingest_id', 'source_line')
            group by table_name having count(*) = 2""";

    private static final String DELETE_ISSUES = """
            delete from intake_issue i
            where (i.ingest_id, i.line_no) in (select * from unnest(:ingests::bigint[], :lines::int[]))
               or strpos(coalesce(i.reason, '') || ' ' || coalesce(i.value_shown, ''), :archiveNo) > 0
               or (:mobile::text is not null and strpos(coalesce(i.reason, '') || ' ' || coalesce(i.value_shown, ''), :mobile) > 0)
               or (:email::text is not null and strpos(coalesce(i.reason, '') || ' ' || coalesce(i.value_shown, ''), :email) > 0)""";

    private static final String DELETE_PENDING_SURVEYS = """
            with gone as (
                delete from survey_review r
                where r.customer_id is null
                  and (r.payload -> 'customer' ->> 'archive_no' = :archiveNo
                       or r.payload -> 'customer' ->> 'mobile' = :mobile
                       or r.payload -> 'customer' ->> 'email' = :email)
                returning survey_id
            ), responses as (
                delete from survey_response s using gone g where s.survey_id = g.survey_id and s.customer_id is null
                returning 1
            )
            select (select count(*) from gone) + (select count(*) from responses)""";

    private Destruction() {
    }

    /** The tables a customer's rows live in, in the order they are deleted (customer last). */
    public static List<String> tables(Handle h) {
        return ForeignKeyWalk.from(h, ROOT).order();
    }

    /**
     * Deletes every row of the customer (locked and known to exist) and returns the rows deleted
     * per table, in deletion order (tables with none left out).
     */
    public static Map<String, Long> destroy(Handle h, long customerId, String archiveNo, String mobile, String email) {
        ForeignKeyWalk walk = ForeignKeyWalk.from(h, ROOT);

        // provenance first: the lines the customer's rows came from
        List<SourceLine> sources = sources(h, walk, customerId);
        long issues = h.createUpdate(DELETE_ISSUES)
                .bindArray("ingests", Long.class, sources.stream().map(SourceLine::ingest).toList())
                .bindArray("lines", Integer.class, sources.stream().map(SourceLine::line).toList())
                .bind("archiveNo", archiveNo).bind("mobile", mobile).bind("email", email)
                .execute();
        long reviews = h.createQuery(DELETE_PENDING_SURVEYS)
                .bind("archiveNo", archiveNo).bind("mobile", mobile).bind("email", email)
                .mapTo(Long.class).one();

        Map<String, Long> counts = walk.delete(h, THE_CUSTOMER, Map.of("customer", customerId));
        if (issues > 0) counts.merge("intake_issue", issues, Long::sum);
        if (reviews > 0) counts.merge("survey_review", reviews, Long::sum);
        return counts;
    }

    private record SourceLine(long ingest, int line) {
    }

    /** The lines (ingest, line number) the customer's rows came from: their provenance. */
    private static List<SourceLine> sources(Handle h, ForeignKeyWalk walk, long customerId) {
        Set<String> withProvenance = Set.copyOf(h.createQuery(PROVENANCE_TABLES).mapTo(String.class).list());
        List<SourceLine> sources = new ArrayList<>();
        for (String table : walk.order()) {
            if (!withProvenance.contains(table)) continue;
            sources.addAll(h.createQuery("select distinct source_ingest_id, source_line from " + table
                            + " where (" + walk.condition(table, THE_CUSTOMER)
                            + ") and source_ingest_id is not null and source_line is not null")
                    .bind("customer", customerId)
                    .map((rs, ctx) -> new SourceLine(rs.getLong("source_ingest_id"), rs.getInt("source_line")))
                    .list());
        }
        return sources;
    }

    /** The ingests (files, mails, polls) that brought lines of the customer's archive — before it is destroyed. */
    public static List<Long> sourceIngests(Handle h, long customerId) {
        return sources(h, ForeignKeyWalk.from(h, ROOT), customerId).stream().map(SourceLine::ingest).distinct().sorted().toList();
    }
}
