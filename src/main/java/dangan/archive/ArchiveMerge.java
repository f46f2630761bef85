package dangan.archive;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/**
 * The one merge step every source ends in: staged canonical rows ({@code intake_row}) of one
 * ingest become archives, set-based in SQL, inside the caller's transaction.
 * <ol>
 *   <li>Match (D-15): a row belongs to the archive holding its ID number, else its mobile, else its email —
 *       or to the archive of an earlier line of the same file sharing one of those.</li>
 *   <li>Open: among rows still unmatched, the first row of each customer opens a new archive, numbered
 *       per D-14 in line order; later rows of the same customer then match it. Repeated until every
 *       row has its archive.</li>
 *   <li>Update: the other rows are applied in line order, one round per rank within an archive;
 *       each changed field goes to the change register with the line that changed it (D-27).
 *       A change that contradicts the customer's identity (name, gender, birth date, ID number), or
 *       any change from a low-trust source, waits in {@code pending_change} for a person (D-13, D-16);
 *       an identifier that already belongs to another archive is not moved. Warnings say so.</li>
 *   <li>Facts: visits, preferences, health, special dates, companions are added once each; a
 *       contract is one fact per contract number, updated (and its change logged) when its terms change.</li>
 *   <li>Outcome: a row that opened an archive is new; one with a change waiting for review is
 *       review; one that changed or added anything is an update; the rest are duplicates.</li>
 * </ol>
 * Merges are serialised across threads and instances by a transaction-scoped advisory lock.
 */
public final class ArchiveMerge {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveMerge.class);
    private static final int MAX_PASSES = 10_000;


    /**
     * Unmatched rows find their archive by a key it holds, or by a key shared with a row of this
     * ingest already matched (so a later line linked only through an earlier one follows it).
     * ID number outranks mobile, mobile outranks email. Returns the rows matched.
     */
    private static final String MATCH = """
            with unmatched as (
                select line_no, id_hash, mobile, email from intake_row where ingest_id = ? and customer_id is null
            ), matched as (
                select id_hash, mobile, email, customer_id from intake_row where ingest_id = ? and customer_id is not null
            ), candidates as (
                select u.line_no, c.id as customer_id, 1 as rank from unmatched u join customer c on c.id_number_hash = u.id_hash
                union all
                select u.line_no, m.customer_id, 2 from unmatched u join matched m on m.id_hash = u.id_hash
                union all
                select u.line_no, c.id, 3 from unmatched u join customer c on c.mobile = u.mobile
                union all
                select u.line_no, m.customer_id, 4 from unmatched u join matched m on m.mobile = u.mobile
                union all
                select u.line_no, c.id, 5 from unmatched u join customer c on c.email = u.email
                union all
                select u.line_no, m.customer_id, 6 from unmatched u join matched m on m.email = u.email
            ), best as (
                select distinct on (line_no) line_no, customer_id from candidates order by line_no, rank
            )
            update intake_row s set customer_id = b.customer_id
            from best b where s.ingest_id = ? and s.line_no = b.line_no""";

    /**
     * The first unmatched row of each customer opens an archive; numbers are reserved in one go.
     * With {@link TierAtOpening}, an archive opened by a line alone in this ingest (no other line
     * shares its mobile, ID number or email, so no other line can join it: every row sharing a key
     * with a matched row was matched before this step) gets its flags and tier (D-18) as it is
     * inserted — its only visit in the window can be that line's. The others keep a null tier for
     * the tiers listener, as before.
     */
    private static String openArchives(TierAtOpening tiers, List<Object> params, long ingestId, String period) {
        params.add(ingestId);
        params.add(period);
        String sql = """
            with unmatched as (
                select line_no,
                       (mobile is null or line_no = min(line_no) over (partition by mobile))
                   and (id_hash is null or line_no = min(line_no) over (partition by id_hash))
                   and (email is null or line_no = min(line_no) over (partition by email)) as first_of_customer,
                       (mobile is null or count(*) over (partition by mobile) = 1)
                   and (id_hash is null or count(*) over (partition by id_hash) = 1)
                   and (email is null or count(*) over (partition by email) = 1) as alone
                from intake_row where ingest_id = ? and customer_id is null
            ), openers as (
                select line_no, alone, row_number() over (order by line_no) - 1 as seq
                from unmatched where first_of_customer
            ), reserved as (
                select archive_serial_reserve(?, (select count(*)::int from openers)) as first_serial
            ), created as (
                insert into customer (archive_no, name, gender, birth_date, mobile, email, address,
                                      id_number_enc, id_number_hash, id_number_masked, employer, job_title,
                                      nationality, extra, contact_confirmed_at, source_ingest_id, source_line%s)
                select archive_no, name, gender, birth_date, mobile, email, address, id_enc, id_hash, id_masked, employer,
                       job_title, nationality, extra, contact_confirmed_at, ingest_id, line_no%s
                from (select archive_no(?, r.first_serial + o.seq::int) as archive_no, s.name, s.gender, s.birth_date,
                             s.mobile, s.email, s.address, s.id_enc, s.id_hash, s.id_masked, s.employer, s.job_title,
                             s.nationality, coalesce(s.extra, '{}'::jsonb) as extra,
                             case when s.mobile is not null or s.email is not null then now() end as contact_confirmed_at,
                             s.ingest_id, s.line_no%s
                      from openers o cross join reserved r
                      join intake_row s on s.ingest_id = ? and s.line_no = o.line_no%s) n
                returning id, source_line
            )
            update intake_row s set customer_id = c.id, outcome = 'new'
            from created c where s.ingest_id = ? and s.line_no = c.source_line""";
        if (tiers == null) {
            params.add(period);
            params.add(ingestId);
            params.add(ingestId);
            return sql.formatted("", "", "", "");
        }
        String columns = ", key_decision_maker, important_organisation, out_of_province, tier";
        String outer = ", kdm, org, oop, case when alone then tier_for(visits, spend, kdm, org, oop, null, ?, ?, ?) end";
        params.add(new Numerics(tiers.thresholds())); // an array, not text: not parsed again for every row
        params.add(tiers.outOfProvinceTier());
        params.add(tiers.lapsedVisits());
        params.add(period);
        StringBuilder inner = new StringBuilder(", o.alone");
        String[] flags = {"kdm", "org", "oop"}; // the order of TierAtOpening.flagColumns
        for (int i = 0; i < flags.length; i++) {
            String flag = flags[i];
            List<String> flagColumns = tiers.flagColumns().get(i);
            if (flagColumns.isEmpty()) {
                inner.append(", false as ").append(flag);
            } else {
                // the key test first: most lines carry none of the flag columns, and skip the per-row subquery
                inner.append(", o.alone and coalesce(s.extra ??| ?, false) and ").append(TierAtOpening.flagFrom("s.extra"))
                     .append(" as ").append(flag);
                params.add(flagColumns.toArray(String[]::new));
                params.add(flagColumns.toArray(String[]::new));
                params.add(tiers.yesValues().toArray(String[]::new));
            }
        }
        // a new archive's visits in the window: the consumption fact its one line adds (visit or contract)
        inner.append(", case when s.visit_date >= ? and s.visit_date < ? then 1 else 0 end::bigint as visits")
             .append(", case when s.visit_date >= ? and s.visit_date < ? then coalesce(s.amount, 0) else 0 end as spend");
        params.add(tiers.windowFrom());
        params.add(tiers.windowUntil());
        params.add(tiers.windowFrom());
        params.add(tiers.windowUntil());
        params.add(ingestId);
        params.add(ingestId);
        return sql.formatted(columns, outer, inner, "");
    }

    /**
     * D-32: a sealed archive is read-only. A line that matched one changes nothing: its facts are
     * cleared from staging, it gets no update round, it counts as review, and a warning says why.
     */
    private static final String HOLD_SEALED = """
            with held as (
                update intake_row s set outcome = 'review', visit_date = null, amount = null, service = null, contract_no = null,
                       pref_room = null, pref_dining = null, pref_other = null, allergy_enc = null, allergy_hash = null,
                       health_enc = null, health_hash = null, anniversary = null, companions = null, referrer = null,
                       consent_service = null, consent_marketing = null, consent_sensitive = null
                from customer c
                where s.ingest_id = ? and s.outcome is null and c.id = s.customer_id and c.sealed_at is not null
                returning s.ingest_id, s.line_no, c.archive_no
            )
            insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity)
            select ingest_id, line_no, null, null, 'archive ' || archive_no || ' is sealed (D-32): nothing on this line was filed;'
                   || ' a manager unseals it (POST /api/archives/' || archive_no || '/unseal), then send the line again', 'warning'
            from held""";

    private static final String RANK_UPDATES = """
            update intake_row s set merge_round = r.n
            from (select line_no, row_number() over (partition by customer_id order by line_no) as n
                  from intake_row where ingest_id = ? and outcome is null) r
            where s.ingest_id = ? and s.line_no = r.line_no""";

    private static final String MAX_ROUND = "select coalesce(max(merge_round), 0) from intake_row where ingest_id = ?";

    /**
     * One round's field changes, unpivoted, each with its disposition: applied, held for review
     * (low-trust source, or a contradiction of the customer's identity: D-13, D-16), or refused
     * because the identifier belongs to another archive.
     */
    private static final String CLASSIFY_CHANGES = """
            insert into intake_change (ingest_id, line_no, customer_id, field, old_value, new_value, disposition, why)
            select s.ingest_id, s.line_no, c.id, v.field, v.old_value, v.new_value,
                   case when v.owner is not null then 'conflict'
                        when ? then 'hold'
                        when v.identity and v.old_value is not null then 'hold'
                        else 'apply' end,
                   case when v.owner is not null then
                            'already belongs to archive ' || v.owner || ' while this line matched archive '
                            || c.archive_no || '; not moved — check which archive is right and correct it'
                        when ? then 'waits for review: the source is marked low-trust (D-16)'
                        when v.identity and v.old_value is not null then
                            'differs from archive ' || c.archive_no || ' (' || v.old_value || '); kept the archive''s value,'
                            || ' the new one waits for review — confirm with the customer (D-13)'
                   end
            from intake_row s join customer c on c.id = s.customer_id
            cross join lateral (values
                ('name', c.name, s.name, s.name is distinct from c.name, true, null::text),
                ('gender', c.gender::text, s.gender::text, s.gender is distinct from c.gender, true, null),
                ('birth_date', c.birth_date::text, s.birth_date::text, s.birth_date is distinct from c.birth_date, true, null),
                ('id_number', c.id_number_masked, s.id_masked, s.id_hash is distinct from c.id_number_hash, true,
                    (select o.archive_no from customer o where o.id_number_hash = s.id_hash and o.id <> c.id)),
                ('mobile', c.mobile, s.mobile, s.mobile is distinct from c.mobile, false,
                    (select o.archive_no from customer o where o.mobile = s.mobile and o.id <> c.id)),
                ('email', c.email, s.email, s.email is distinct from c.email, false,
                    (select o.archive_no from customer o where o.email = s.email and o.id <> c.id)),
                ('address', c.address, s.address, s.address is distinct from c.address, false, null),
                ('employer', c.employer, s.employer, s.employer is distinct from c.employer, false, null),
                ('job_title', c.job_title, s.job_title, s.job_title is distinct from c.job_title, false, null),
                ('nationality', c.nationality, s.nationality, s.nationality is distinct from c.nationality, false, null)
            ) v(field, old_value, new_value, changed, identity, owner)
            where s.ingest_id = ? and s.merge_round = ? and v.new_value is not null and v.changed
            union all
            select s.ingest_id, s.line_no, c.id, 'extra.' || e.key, c.extra ->> e.key, e.value,
                   case when ? then 'hold' else 'apply' end,
                   case when ? then 'waits for review: the source is marked low-trust (D-16)' end
            from intake_row s join customer c on c.id = s.customer_id
            cross join lateral jsonb_each_text(coalesce(s.extra, '{}'::jsonb)) e
            where s.ingest_id = ? and s.merge_round = ? and (c.extra ->> e.key) is distinct from e.value""";

    private static final String LOG_APPLIED = """
            insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source_ingest_id, source_line)
            select x.customer_id, x.field, x.old_value, x.new_value, 'intake', ?, x.ingest_id, x.line_no
            from intake_change x join intake_row s on s.ingest_id = x.ingest_id and s.line_no = x.line_no
            where x.ingest_id = ? and s.merge_round = ? and x.disposition = 'apply'""";

    private static final String HOLD_FOR_REVIEW = """
            insert into pending_change (customer_id, field, current_value, current_source_ingest_id, current_source_line,
                                        proposed_value, proposed_hash, proposed_enc, reason, source_ingest_id, source_line)
            select x.customer_id, x.field, x.old_value,
                   coalesce(last.source_ingest_id, c.source_ingest_id), coalesce(last.source_line, c.source_line),
                   x.new_value,
                   case when x.field = 'id_number' then s.id_hash end, case when x.field = 'id_number' then s.id_enc end,
                   x.why, x.ingest_id, x.line_no
            from intake_change x join intake_row s on s.ingest_id = x.ingest_id and s.line_no = x.line_no
            join customer c on c.id = x.customer_id
            left join lateral (select l.source_ingest_id, l.source_line from change_log l
                               where l.customer_id = x.customer_id and l.field = x.field
                               order by l.changed_at desc, l.id desc limit 1) last on true
            where x.ingest_id = ? and s.merge_round = ? and x.disposition = 'hold'""";

    private static final String WARN_NOT_APPLIED = """
            insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity)
            select x.ingest_id, x.line_no, x.field, x.new_value, x.why, 'warning'
            from intake_change x join intake_row s on s.ingest_id = x.ingest_id and s.line_no = x.line_no
            where x.ingest_id = ? and s.merge_round = ? and x.disposition <> 'apply'""";

    /** Applies the round's accepted changes: one line per archive per round, pivoted back to columns. */
    private static final String APPLY_UPDATES = """
            update customer c set
                name = coalesce(a.name, c.name),
                gender = coalesce(a.gender, c.gender),
                birth_date = coalesce(a.birth_date::date, c.birth_date),
                mobile = coalesce(a.mobile, c.mobile),
                email = coalesce(a.email, c.email),
                address = coalesce(a.address, c.address),
                employer = coalesce(a.employer, c.employer),
                job_title = coalesce(a.job_title, c.job_title),
                nationality = coalesce(a.nationality, c.nationality),
                id_number_hash = case when a.id_number then s.id_hash else c.id_number_hash end,
                id_number_enc = case when a.id_number then s.id_enc else c.id_number_enc end,
                id_number_masked = case when a.id_number then s.id_masked else c.id_number_masked end,
                extra = c.extra || coalesce(a.extra, '{}'::jsonb),
                contact_confirmed_at = case when s.mobile is not null or s.email is not null then now() else c.contact_confirmed_at end,
                updated_at = case when a.line_no is not null then now() else c.updated_at end
            from intake_row s
            left join (
                select line_no,
                       max(new_value) filter (where field = 'name') as name,
                       max(new_value) filter (where field = 'gender') as gender,
                       max(new_value) filter (where field = 'birth_date') as birth_date,
                       max(new_value) filter (where field = 'mobile') as mobile,
                       max(new_value) filter (where field = 'email') as email,
                       max(new_value) filter (where field = 'address') as address,
                       max(new_value) filter (where field = 'employer') as employer,
                       max(new_value) filter (where field = 'job_title') as job_title,
                       max(new_value) filter (where field = 'nationality') as nationality,
                       bool_or(field = 'id_number') as id_number,
                       jsonb_object_agg(substr(field, 7), new_value) filter (where field like 'extra.%') as extra
                from intake_change where ingest_id = ? and disposition = 'apply'
                group by line_no
            ) a on a.line_no = s.line_no
            where s.customer_id = c.id and s.ingest_id = ? and s.merge_round = ?""";

    /** Visits, stays and meals: the same content from two sources is one fact. */
    private static final String ADD_VISITS = """
            insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch,
                                     fact_key, source_ingest_id, source_line)
            select s.customer_id, s.visit_date, s.amount, s.service, s.payment, s.staff, s.branch,
                   md5(concat_ws('|', coalesce(s.visit_date::text, ''), coalesce(s.amount::text, ''), coalesce(s.service, ''),
                       coalesce(s.payment, ''), coalesce(s.staff, ''), coalesce(s.branch, '')))::uuid,
                   s.ingest_id, s.line_no
            from intake_row s
            where s.ingest_id = ? and s.contract_no is null
              and (s.visit_date is not null or s.amount is not null or s.service is not null)
            on conflict (customer_id, fact_key) do nothing""";

    /** A contract (D-10) is one fact per contract number: the latest line about it wins. */
    private static final String LATEST_CONTRACTS = """
            select distinct on (s.customer_id, s.contract_no) s.customer_id, s.contract_no, s.visit_date, s.amount,
                   s.service, s.payment, s.staff, s.branch, s.ingest_id, s.line_no,
                   md5('contract|' || s.contract_no)::uuid as fact_key
            from intake_row s
            where s.ingest_id = ? and s.contract_no is not null
            order by s.customer_id, s.contract_no, s.line_no desc""";

    /** A contract whose terms changed: the change register says what it said before (D-27). */
    private static final String LOG_CONTRACT_CHANGES = """
            insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source_ingest_id, source_line)
            select l.customer_id, 'contract ' || l.contract_no,
                   concat_ws(' ', c.visit_date, c.amount, c.service), concat_ws(' ', l.visit_date, l.amount, l.service),
                   'intake', ?, l.ingest_id, l.line_no
            from (""" + LATEST_CONTRACTS + """
            ) l join consumption c on c.customer_id = l.customer_id and c.fact_key = l.fact_key
            where (c.visit_date, c.amount, c.service, c.payment_method, c.staff, c.branch)
                  is distinct from (l.visit_date, l.amount, l.service, l.payment, l.staff, l.branch)""";

    private static final String ADD_CONTRACTS = """
            insert into consumption (customer_id, visit_date, amount, service, payment_method, staff, branch, contract_no,
                                     fact_key, source_ingest_id, source_line)
            select l.customer_id, l.visit_date, l.amount, l.service, l.payment, l.staff, l.branch, l.contract_no,
                   l.fact_key, l.ingest_id, l.line_no
            from (""" + LATEST_CONTRACTS + """
            ) l
            on conflict (customer_id, fact_key) do update set
                visit_date = excluded.visit_date, amount = excluded.amount, service = excluded.service,
                payment_method = excluded.payment_method, staff = excluded.staff, branch = excluded.branch,
                source_ingest_id = excluded.source_ingest_id, source_line = excluded.source_line
            where (consumption.visit_date, consumption.amount, consumption.service, consumption.payment_method,
                   consumption.staff, consumption.branch)
                  is distinct from (excluded.visit_date, excluded.amount, excluded.service, excluded.payment_method,
                                    excluded.staff, excluded.branch)""";

    private static final String ADD_PREFERENCES = """
            insert into preference (customer_id, category, detail, fact_key, source_ingest_id, source_line)
            select s.customer_id, p.category, p.detail, md5(p.category || '|' || p.detail)::uuid, s.ingest_id, s.line_no
            from intake_row s
            cross join lateral (values ('room', s.pref_room), ('dining', s.pref_dining), ('other', s.pref_other))
                p(category, detail)
            where s.ingest_id = ? and p.detail is not null
            on conflict (customer_id, fact_key) do nothing""";

    private static final String ADD_HEALTH = """
            insert into health_fact (customer_id, kind, detail_enc, fact_key, source_ingest_id, source_line)
            select s.customer_id, h.kind, h.detail_enc, h.fact_key, s.ingest_id, s.line_no
            from intake_row s
            cross join lateral (values ('allergy', s.allergy_enc, s.allergy_hash), ('note', s.health_enc, s.health_hash))
                h(kind, detail_enc, fact_key)
            where s.ingest_id = ? and h.detail_enc is not null
            on conflict (customer_id, kind, fact_key) do nothing""";

    private static final String ADD_SPECIAL_DATES = """
            insert into special_date (customer_id, kind, occurs_on, source_ingest_id, source_line)
            select s.customer_id, 'wedding_anniversary', s.anniversary, s.ingest_id, s.line_no
            from intake_row s where s.ingest_id = ? and s.anniversary is not null
            on conflict (customer_id, kind, occurs_on) do nothing""";

    /** The lunar birthday (农历生日) of a line; the last line of the file wins for a customer. */
    private static final String ADD_LUNAR_BIRTHDAYS = """
            insert into lunar_birthday as l (customer_id, lunar_year, lunar_month, leap_month, lunar_day, source_ingest_id, source_line)
            select distinct on (s.customer_id) s.customer_id, s.lunar_year, s.lunar_month, s.leap_month, s.lunar_day,
                   s.ingest_id, s.line_no
            from intake_row s where s.ingest_id = ? and s.lunar_month is not null and s.customer_id is not null
            order by s.customer_id, s.line_no desc
            on conflict (customer_id) do update set lunar_year = excluded.lunar_year, lunar_month = excluded.lunar_month,
                leap_month = excluded.leap_month, lunar_day = excluded.lunar_day,
                source_ingest_id = excluded.source_ingest_id, source_line = excluded.source_line
            where (l.lunar_year, l.lunar_month, l.leap_month, l.lunar_day)
                  is distinct from (excluded.lunar_year, excluded.lunar_month, excluded.leap_month, excluded.lunar_day)""";

    private static final String ADD_COMPANIONS = """
            insert into companion (customer_id, relation, name, source_ingest_id, source_line)
            select s.customer_id, p.relation, p.name, s.ingest_id, s.line_no
            from intake_row s
            cross join lateral (values ('companion', s.companions), ('referred_by', s.referrer)) p(relation, name)
            where s.ingest_id = ? and p.name is not null
            on conflict (customer_id, relation, name) do nothing""";

    private static final String SETTLE_OUTCOMES = """
            update intake_row s set outcome = case
                when exists (select 1 from intake_change x where x.ingest_id = s.ingest_id and x.line_no = s.line_no
                             and x.disposition = 'hold') then 'review'
                when exists (select 1 from change_log x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from consumption x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from preference x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from health_fact x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from special_date x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from lunar_birthday x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from companion x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                or exists (select 1 from consent x where x.source_ingest_id = s.ingest_id and x.source_line = s.line_no)
                then 'updated' else 'duplicate' end
            where s.ingest_id = ? and s.outcome is null""";

    private static final String COUNT_OUTCOMES = """
            select count(*) filter (where outcome = 'new'), count(*) filter (where outcome = 'updated'),
                   count(*) filter (where outcome = 'duplicate'), count(*) filter (where outcome = 'review')
            from intake_row where ingest_id = ?""";

    private static final String COUNT_NOT_APPLIED =
            "select count(*) from intake_change where ingest_id = ? and disposition <> 'apply'";

    /** Archives opened from a low-trust source wait for review as a whole. */
    private static final String HOLD_NEW_ARCHIVES = """
            update customer c set review_status = 'pending'
            from intake_row s where s.ingest_id = ? and s.outcome = 'new' and c.id = s.customer_id""";

    private static final String MARK_NEW_FOR_REVIEW =
            "update intake_row set outcome = 'review' where ingest_id = ? and outcome = 'new'";

    /**
     * Consent the lines carry (PIPL, D-28), per purpose, recorded under the customer each line
     * belongs to — unless it repeats the customer's latest decision with the same wording.
     */
    private static final String RECORD_CONSENTS = """
            insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by, source_ingest_id, source_line)
            select s.customer_id, p.purpose, p.granted, i.source_type || ':' || i.channel, s.consent_version, 'intake',
                   s.ingest_id, s.line_no
            from intake_row s join ingest i on i.id = s.ingest_id
            cross join lateral (values ('service', s.consent_service), ('marketing', s.consent_marketing),
                                       ('sensitive', s.consent_sensitive)) p(purpose, granted)
            left join lateral (select k.granted, k.wording_version from consent k
                               where k.customer_id = s.customer_id and k.purpose = p.purpose
                               order by k.recorded_at desc, k.id desc limit 1) last on true
            where s.ingest_id = ? and p.granted is not null
              and (s.consent_service is not null or s.consent_marketing is not null or s.consent_sensitive is not null)
              and (last.granted is distinct from p.granted or last.wording_version is distinct from s.consent_version)
            order by s.line_no, p.purpose""";

    private static final String HELD_REASON = "'held: sensitive data of archive ' || c.archive_no || ' arrived without a"
            + " recorded consent to sensitive data (dangan.consent.strict=true); not filed — record the customer''s consent,"
            + " then accept it with `review accept`'";

    /** Strict consent: health values of customers without consent to sensitive data wait in the review queue. */
    private static final String HOLD_HEALTH_WITHOUT_CONSENT = """
            with held as (
                select s.ingest_id, s.line_no, s.customer_id, 'health:' || h.kind as field, h.enc, h.hash,
                       """ + HELD_REASON + """
             as why
                from intake_row s join customer c on c.id = s.customer_id
                cross join lateral (values ('allergy', s.allergy_enc, s.allergy_hash), ('note', s.health_enc, s.health_hash))
                    h(kind, enc, hash)
                where s.ingest_id = ? and h.enc is not null and not coalesce(consent_granted(s.customer_id, 'sensitive'), false)
                  and not exists (select 1 from health_fact f where f.customer_id = s.customer_id and f.kind = h.kind
                                  and f.fact_key = h.hash)
            ), queued as (
                insert into pending_change (customer_id, field, proposed_value, proposed_hash, proposed_enc, reason,
                                            source_ingest_id, source_line)
                select customer_id, field, '[health data, encrypted]', hash, enc, why, ingest_id, line_no from held
            ), changes as (
                insert into intake_change (ingest_id, line_no, customer_id, field, new_value, disposition, why)
                select ingest_id, line_no, customer_id, field, '***', 'hold', why from held
            )
            insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity)
            select ingest_id, line_no, field, '***', why, 'warning' from held""";

    /** Strict consent: a full ID number just filed for a customer without consent waits in the review queue instead. */
    private static final String HOLD_ID_WITHOUT_CONSENT = """
            with held as (
                select s.ingest_id, s.line_no, s.customer_id, s.id_hash, s.id_enc, s.id_masked,
                       """ + HELD_REASON + """
             as why
                from intake_row s join customer c on c.id = s.customer_id and c.id_number_enc = s.id_enc
                where s.ingest_id = ? and not coalesce(consent_granted(s.customer_id, 'sensitive'), false)
            ), cleared as (
                update customer c set id_number_enc = null from held h where c.id = h.customer_id
            ), queued as (
                insert into pending_change (customer_id, field, current_value, proposed_value, proposed_hash, proposed_enc,
                                            reason, source_ingest_id, source_line)
                select customer_id, 'id_number', id_masked, id_masked, id_hash, id_enc, why, ingest_id, line_no from held
            ), changes as (
                insert into intake_change (ingest_id, line_no, customer_id, field, new_value, disposition, why)
                select ingest_id, line_no, customer_id, 'id_number (held)', id_masked, 'hold', why from held
            )
            insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, severity)
            select ingest_id, line_no, 'id_number', id_masked, why, 'warning' from held""";

    private static final String DROP_HELD_HEALTH = """
            update intake_row s set allergy_enc = null, allergy_hash = null, health_enc = null, health_hash = null
            where s.ingest_id = ? and (s.allergy_enc is not null or s.health_enc is not null)
              and not coalesce(consent_granted(s.customer_id, 'sensitive'), false)""";

    /**
     * The data keys of staged lines whose sealed values the archive now keeps (ID number on the
     * customer, health facts, held values in the review queue) are filed under the line's customer.
     */
    private static final String FILE_KEYS = """
            insert into customer_key (id, customer_id, wrapped)
            select s.key_id, s.customer_id, s.key_wrapped from intake_row s
            where s.ingest_id = ? and s.key_id is not null
              and (exists (select 1 from customer c where c.id = s.customer_id and c.id_number_enc = s.id_enc)
                   or exists (select 1 from health_fact h where h.source_ingest_id = s.ingest_id and h.source_line = s.line_no)
                   or exists (select 1 from pending_change p where p.source_ingest_id = s.ingest_id
                              and p.source_line = s.line_no and p.proposed_enc is not null))""";

    private static final String CLEAR_STAGING = "delete from intake_row where ingest_id = ?";

    private static final String CLEAR_CHANGES = "delete from intake_change where ingest_id = ?";

    private ArchiveMerge() {
    }

    /** A numeric[] parameter. */
    private record Numerics(Object[] values) {
        Numerics(String psqlArray) {
            this(java.util.Arrays.stream(psqlArray.replaceAll("[{}]", "").split(","))
                    .map(java.math.BigDecimal::new).toArray());
        }
    }

    /**
     * Merges the staged rows of an ingest into the archive and clears them from staging.
     * Runs in the caller's transaction: nothing is visible until it commits.
     *
     * @param openedIn the month new archives are numbered in (D-14)
     * @param reason   what the change register says about why the data changed
     * @param lowTrust the source is marked low-trust: its changes and new archives wait for review (D-16)
     */
    public static MergeCounts merge(Connection c, long ingestId, YearMonth openedIn, String reason, boolean lowTrust)
            throws SQLException {
        return merge(c, ingestId, openedIn, reason, lowTrust, false);
    }

    /**
     * As above; with {@code strictConsent}, sensitive values (health, full ID number) of customers
     * without a recorded consent to sensitive data wait in the review queue instead of being filed.
     */
    public static MergeCounts merge(Connection c, long ingestId, YearMonth openedIn, String reason, boolean lowTrust,
                                    boolean strictConsent) throws SQLException {
        return merge(c, ingestId, openedIn, reason, lowTrust, strictConsent, null);
    }

    /**
     * As above; with {@code tiers} (the tiers flow is on and the source is not low-trust), archives
     * whose tier is known when they are opened get it in the same insert (see {@link TierAtOpening});
     * the others are left with a null tier for the tiers listener.
     */
    public static MergeCounts merge(Connection c, long ingestId, YearMonth openedIn, String reason, boolean lowTrust,
                                    boolean strictConsent, TierAtOpening tiers) throws SQLException {
        long started = System.nanoTime();
        if (lowTrust) tiers = null; // new archives of a low-trust source wait for review as a whole, without a tier
        ArchiveLock.hold(c);
        execute(c, "set local work_mem = '128MB'"); // window sorts and hash joins of a large file stay in memory
        String period = ArchiveNumbers.period(openedIn);
        int passes = 0;
        int opened;
        do {
            while (execute(c, MATCH, ingestId, ingestId, ingestId) > 0) {
                passes++;
            }
            List<Object> params = new ArrayList<>();
            String open = openArchives(tiers, params, ingestId, period);
            opened = execute(c, open, params.toArray());
            if (++passes > MAX_PASSES) {
                throw new IllegalStateException("ingest " + ingestId + ": rows still unmatched after " + MAX_PASSES + " passes");
            }
        } while (opened > 0);

        int sealed = execute(c, HOLD_SEALED, ingestId);
        execute(c, RECORD_CONSENTS, ingestId);
        execute(c, RANK_UPDATES, ingestId, ingestId);
        int rounds = (int) count(c, MAX_ROUND, ingestId);
        for (int round = 1; round <= rounds; round++) {
            execute(c, CLASSIFY_CHANGES, lowTrust, lowTrust, ingestId, round, lowTrust, lowTrust, ingestId, round);
            execute(c, LOG_APPLIED, reason, ingestId, round);
            execute(c, HOLD_FOR_REVIEW, ingestId, round);
            execute(c, WARN_NOT_APPLIED, ingestId, round);
            execute(c, APPLY_UPDATES, ingestId, ingestId, round);
        }
        if (strictConsent) {
            execute(c, HOLD_HEALTH_WITHOUT_CONSENT, ingestId);
            execute(c, DROP_HELD_HEALTH, ingestId);
        }
        execute(c, LOG_CONTRACT_CHANGES, reason, ingestId);
        for (String facts : new String[] {ADD_VISITS, ADD_CONTRACTS, ADD_PREFERENCES, ADD_HEALTH, ADD_SPECIAL_DATES, ADD_LUNAR_BIRTHDAYS,
                ADD_COMPANIONS}) {
            execute(c, facts, ingestId);
        }
        if (strictConsent) {
            execute(c, HOLD_ID_WITHOUT_CONSENT, ingestId);
        }
        execute(c, FILE_KEYS, ingestId);
        execute(c, SETTLE_OUTCOMES, ingestId);
        if (lowTrust) {
            execute(c, HOLD_NEW_ARCHIVES, ingestId);
            execute(c, MARK_NEW_FOR_REVIEW, ingestId);
        }
        MergeCounts counts;
        try (PreparedStatement ps = prepare(c, COUNT_OUTCOMES, ingestId); ResultSet rs = ps.executeQuery()) {
            rs.next();
            counts = new MergeCounts(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4),
                    (int) count(c, COUNT_NOT_APPLIED, ingestId) + sealed);
        }
        execute(c, CLEAR_STAGING, ingestId);
        execute(c, CLEAR_CHANGES, ingestId);
        LOG.debug("ingest {} merged in {} ms ({} match/open passes, {} update rounds)", ingestId,
                (System.nanoTime() - started) / 1_000_000, passes, rounds);
        return counts;
    }

    private static long count(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs a statement; returns the number of rows it changed. */
    private static int execute(Connection c, String sql, Object... params) throws SQLException {
        long started = System.nanoTime();
        try (PreparedStatement ps = prepare(c, sql, params)) {
            ps.execute();
            int changed = Math.max(ps.getUpdateCount(), 0);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} ms, {} rows: {}", (System.nanoTime() - started) / 1_000_000, changed,
                        sql.strip().lines().findFirst().orElse(""));
            }
            return changed;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            ps.setObject(i + 1, p instanceof String[] texts ? c.createArrayOf("text", texts)
                    : p instanceof Numerics n ? c.createArrayOf("numeric", n.values()) : p);
        }
        return ps;
    }
}
