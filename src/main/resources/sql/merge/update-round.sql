-- One update round: one line per archive, in line order (rank-updates.sql). One statement, so the round's
-- lines meet their archives once for their changes and once to write them — no second pass over the
-- staged changes to register them (issue 14: at 1,000,000 lines those passes cost as much as the floor's
-- whole update).
--
-- Each field a line changes, unpivoted, with its disposition: applied, held for review (low-trust
-- source, or a contradiction of the customer's identity: D-13, D-16), or refused because the
-- identifier belongs to another archive — looked up only for an identifier that changed. Why is a
-- message key (area merge) and its arguments, said when the merge ends (MergeTexts). The held and refused
-- changes are staged in intake_change (queued and warned of by hold-for-review.sql and warn-not-applied.sql);
-- each applied one goes to the change register (D-27) with the line that made it, and into the archive.
-- A check (keep_staging) stages the applied ones too: its report reads them all.
--
-- The unpivot is one array a line of the fields it changes, each a row (name, old value, new value, whether it
-- is of the identity, the archive already holding it), unnested: a VALUES list of all ten fields, filtered,
-- built the expressions of its rows again for every line (4.7 s of PostgreSQL CPU at 1,000,000 lines, against
-- 1.0 s; issue 14). A plain field (address, employer, job title, nationality) is applied whenever a trusted
-- source changes it, so the archive takes it from the line itself; only the changes whose disposition depends
-- on more (the identity, the identifiers, the extra attributes) are grouped back by line — pivoting a million
-- changed addresses back to columns cost 1.5 s more (UpdateRoundTest: the archive and the register never part).
--
-- A line with a mobile or an email confirms the archive's contact data (D-30: contact_confirmed_at,
-- which the quarterly timeliness review reads by the day). An archive whose contact was already
-- confirmed today (`confirmed_today`: the start of today in dangan.timezone) and that the line changes
-- in nothing is not written again: the day kept is the same, and every visit line of a known customer
-- would otherwise write a new version of its archive row and of all its index entries (issue 14).
with changes (ingest_id, line_no, customer_id, field, old_value, new_value, disposition, why_key, why_args) as materialized (
    select ingest_id, line_no, customer_id, field, old_value, new_value,
           case when owner is not null then 'conflict'
                when :'low_trust'::boolean then 'hold'
                when identity and old_value is not null then 'hold'
                else 'apply' end,
           case when owner is not null then 'merge.why.other-archive'
                when :'low_trust'::boolean then 'merge.why.low-trust'
                when identity and old_value is not null then 'merge.why.identity-differs'
           end,
           case when owner is not null then jsonb_build_object('owner', owner, 'archive', archive_no)
                when :'low_trust'::boolean then '{}'::jsonb
                when identity and old_value is not null then jsonb_build_object('archive', archive_no, 'current', old_value)
           end
    from (
        select s.ingest_id, s.line_no, c.id as customer_id, c.archive_no, f.field, f.old_value, f.new_value, f.identity, f.owner
        from intake_row s join customer c on c.id = s.customer_id
        -- each field the line changes (a field the line leaves empty changes nothing): its name, its old and new value,
        -- whether it is of the customer's identity, and the archive that holds it already (an identifier only)
        cross join lateral unnest(array_remove(array[
            case when s.name is distinct from c.name then row('name'::text, c.name, s.name, true, null::text) end,
            case when s.gender is not null and s.gender is distinct from c.gender
                then row('gender'::text, c.gender::text, s.gender::text, true, null::text) end,
            case when s.birth_date is not null and s.birth_date is distinct from c.birth_date
                then row('birth_date'::text, c.birth_date::text, s.birth_date::text, true, null::text) end,
            case when s.id_masked is not null and s.id_hash is distinct from c.id_number_hash
                then row('id_number'::text, c.id_number_masked, s.id_masked, true,
                         (select o.archive_no from customer o where o.id_number_hash = s.id_hash and o.id <> c.id)) end,
            case when s.mobile is not null and s.mobile is distinct from c.mobile
                then row('mobile'::text, c.mobile, s.mobile, false, (select o.archive_no from customer o where o.mobile = s.mobile and o.id <> c.id)) end,
            case when s.email is not null and s.email is distinct from c.email
                then row('email'::text, c.email, s.email, false, (select o.archive_no from customer o where o.email = s.email and o.id <> c.id)) end,
            case when s.address is not null and s.address is distinct from c.address
                then row('address'::text, c.address, s.address, false, null::text) end,
            case when s.employer is not null and s.employer is distinct from c.employer
                then row('employer'::text, c.employer, s.employer, false, null::text) end,
            case when s.job_title is not null and s.job_title is distinct from c.job_title
                then row('job_title'::text, c.job_title, s.job_title, false, null::text) end,
            case when s.nationality is not null and s.nationality is distinct from c.nationality
                then row('nationality'::text, c.nationality, s.nationality, false, null::text) end
        ], null)) f(field text, old_value text, new_value text, identity boolean, owner text)
        where s.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null)
          -- the line differs from its archive somewhere (checked once a line, before unpivoting its fields)
          and (s.name <> c.name or s.gender is distinct from c.gender and s.gender is not null
               or s.birth_date is distinct from c.birth_date and s.birth_date is not null
               or s.id_hash is distinct from c.id_number_hash and s.id_hash is not null
               or s.mobile is distinct from c.mobile and s.mobile is not null or s.email is distinct from c.email and s.email is not null
               or s.address is distinct from c.address and s.address is not null
               or s.employer is distinct from c.employer and s.employer is not null
               or s.job_title is distinct from c.job_title and s.job_title is not null
               or s.nationality is distinct from c.nationality and s.nationality is not null)
    ) v
    union all
    select s.ingest_id, s.line_no, c.id, 'extra.' || e.key, c.extra ->> e.key, e.value,
           case when :'low_trust'::boolean then 'hold' else 'apply' end,
           case when :'low_trust'::boolean then 'merge.why.low-trust' end,
           case when :'low_trust'::boolean then '{}'::jsonb end
    from intake_row s join customer c on c.id = s.customer_id
    cross join lateral jsonb_each_text(coalesce(s.extra, '{}'::jsonb)) e
    where s.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null) and s.extra is not null
      and (c.extra ->> e.key) is distinct from e.value
), staged as (
    -- a filing stages only the changes that wait (held or refused): an applied one is in the register and the
    -- archive, and nothing reads it here again (at 1,000,000 lines, a million rows written only to be cleared);
    -- a check (keep_staging) reads them all in its report
    insert into intake_change (ingest_id, line_no, customer_id, field, old_value, new_value, disposition, why_key, why_args)
    select ingest_id, line_no, customer_id, field, old_value, new_value, disposition, why_key, why_args from changes
    where disposition <> 'apply' or :'keep_staging'::boolean
), registered as (
    insert into change_log (customer_id, field, old_value, new_value, changed_by, reason, source_ingest_id, source_line)
    select customer_id, field, old_value, new_value, 'intake', :'reason', ingest_id, line_no from changes where disposition = 'apply'
), applied as (
    -- the applied changes of the fields whose disposition depends on more than the line's own value (the identity,
    -- which a person confirms unless the archive had none; the identifiers, refused when another archive holds
    -- them), pivoted back to columns. The plain fields (address, employer, job title, nationality) are applied
    -- below from the line itself, as they always are from a trusted source: grouping a million changed addresses
    -- by line only to pivot them back cost more than the floor's whole update (issue 14).
    select line_no,
           max(new_value) filter (where field = 'name') as name,
           max(new_value) filter (where field = 'gender') as gender,
           max(new_value) filter (where field = 'birth_date') as birth_date,
           max(new_value) filter (where field = 'mobile') as mobile,
           max(new_value) filter (where field = 'email') as email,
           bool_or(field = 'id_number') as id_number
    from changes where disposition = 'apply' and field in ('name', 'gender', 'birth_date', 'id_number', 'mobile', 'email')
    group by line_no
), applied_extra as (
    -- the extra attributes apart: the planner reckons an aggregate into jsonb at kilobytes a group, and with it in
    -- the grouping above, the grouping of 100,000 lines or more spilled to disk whatever work_mem allowed (issue 14)
    select line_no, jsonb_object_agg(substr(field, 7), new_value) as extra
    from changes where disposition = 'apply' and field like 'extra.%'
    group by line_no
)
update customer c set
    name = coalesce(a.name, c.name),
    gender = coalesce(a.gender, c.gender),
    birth_date = coalesce(a.birth_date::date, c.birth_date),
    mobile = coalesce(a.mobile, c.mobile),
    email = coalesce(a.email, c.email),
    -- a plain field changed by a trusted source is applied (its change is in the register: changes, above)
    address = case when not :'low_trust'::boolean and s.address is not null then s.address else c.address end,
    employer = case when not :'low_trust'::boolean and s.employer is not null then s.employer else c.employer end,
    job_title = case when not :'low_trust'::boolean and s.job_title is not null then s.job_title else c.job_title end,
    nationality = case when not :'low_trust'::boolean and s.nationality is not null then s.nationality else c.nationality end,
    id_number_hash = case when a.id_number then s.id_hash else c.id_number_hash end,
    id_number_enc = case when a.id_number then s.id_enc else c.id_number_enc end,
    id_number_masked = case when a.id_number then s.id_masked else c.id_number_masked end,
    extra = case when x.extra is null then c.extra else c.extra || x.extra end,
    contact_confirmed_at = case when s.mobile is not null or s.email is not null then now() else c.contact_confirmed_at end,
    updated_at = case when a.line_no is not null or x.line_no is not null
                           or not :'low_trust'::boolean
                              and (s.address is not null and s.address is distinct from c.address
                                   or s.employer is not null and s.employer is distinct from c.employer
                                   or s.job_title is not null and s.job_title is distinct from c.job_title
                                   or s.nationality is not null and s.nationality is distinct from c.nationality)
                      then now() else c.updated_at end
from intake_row s
left join applied a on a.line_no = s.line_no
left join applied_extra x on x.line_no = s.line_no
where s.customer_id = c.id and s.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null)
  -- a line that changes nothing, and confirms no contact or one confirmed today, would only write the same archive again
  and (a.line_no is not null or x.line_no is not null
       or not :'low_trust'::boolean
          and (s.address is not null and s.address is distinct from c.address
               or s.employer is not null and s.employer is distinct from c.employer
               or s.job_title is not null and s.job_title is distinct from c.job_title
               or s.nationality is not null and s.nationality is distinct from c.nationality)
       or (s.mobile is not null or s.email is not null)
          and (c.contact_confirmed_at is null or c.contact_confirmed_at < :'confirmed_today'::timestamptz));
