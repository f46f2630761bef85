-- One update round: one line per archive, in line order (rank-updates.sql). One statement, so the round's
-- lines meet their archives once for their changes and once to write them — no second pass over the
-- staged changes to register them, none to pivot them back (issue 14: at 1,000,000 lines those passes
-- cost as much as the floor's whole update).
--
-- Each field a line changes, unpivoted, with its disposition: applied, held for review (low-trust
-- source, or a contradiction of the customer's identity: D-13, D-16), or refused because the
-- identifier belongs to another archive — looked up only for an identifier that changed. Why is a
-- message key (area merge) and its arguments, said when the merge ends (MergeTexts). The held and refused
-- changes are staged in intake_change (queued and warned of by hold-for-review.sql and warn-not-applied.sql);
-- each applied one goes to the change register (D-27) with the line that made it, and into the archive,
-- pivoted back to columns. A check (keep_staging) stages the applied ones too: its report reads them all.
--
-- A line with a mobile or an email confirms the archive's contact data (D-30: contact_confirmed_at,
-- which the quarterly timeliness review reads by the day). An archive whose contact was already
-- confirmed today (`confirmed_today`: the start of today in dangan.timezone) and that the line changes
-- in nothing is not written again: the day kept is the same, and every visit line of a known customer
-- would otherwise write a new version of its archive row and of all its index entries (issue 14).
with changes (ingest_id, line_no, customer_id, field, old_value, new_value, disposition, why_key, why_args) as materialized (
    select s.ingest_id, s.line_no, c.id, v.field, v.old_value, v.new_value,
           case when v.owner is not null then 'conflict'
                when :'low_trust'::boolean then 'hold'
                when v.identity and v.old_value is not null then 'hold'
                else 'apply' end,
           case when v.owner is not null then 'merge.why.other-archive'
                when :'low_trust'::boolean then 'merge.why.low-trust'
                when v.identity and v.old_value is not null then 'merge.why.identity-differs'
           end,
           case when v.owner is not null then jsonb_build_object('owner', v.owner, 'archive', c.archive_no)
                when :'low_trust'::boolean then '{}'::jsonb
                when v.identity and v.old_value is not null then jsonb_build_object('archive', c.archive_no, 'current', v.old_value)
           end
    from intake_row s join customer c on c.id = s.customer_id
    cross join lateral (values
        ('name', c.name, s.name, s.name is distinct from c.name, true, null::text),
        ('gender', c.gender::text, s.gender::text, s.gender is distinct from c.gender, true, null),
        ('birth_date', c.birth_date::text, s.birth_date::text, s.birth_date is distinct from c.birth_date, true, null),
        ('id_number', c.id_number_masked, s.id_masked, s.id_hash is distinct from c.id_number_hash, true,
            case when s.id_hash is distinct from c.id_number_hash then
            (select o.archive_no from customer o where o.id_number_hash = s.id_hash and o.id <> c.id) end),
        ('mobile', c.mobile, s.mobile, s.mobile is distinct from c.mobile, false,
            case when s.mobile is distinct from c.mobile then
            (select o.archive_no from customer o where o.mobile = s.mobile and o.id <> c.id) end),
        ('email', c.email, s.email, s.email is distinct from c.email, false,
            case when s.email is distinct from c.email then
            (select o.archive_no from customer o where o.email = s.email and o.id <> c.id) end),
        ('address', c.address, s.address, s.address is distinct from c.address, false, null),
        ('employer', c.employer, s.employer, s.employer is distinct from c.employer, false, null),
        ('job_title', c.job_title, s.job_title, s.job_title is distinct from c.job_title, false, null),
        ('nationality', c.nationality, s.nationality, s.nationality is distinct from c.nationality, false, null)
    ) v(field, old_value, new_value, changed, identity, owner)
    where s.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null) and v.new_value is not null and v.changed
      -- the line differs from its archive somewhere (checked once a line, before unpivoting its fields)
      and (s.name <> c.name or s.gender is distinct from c.gender and s.gender is not null
           or s.birth_date is distinct from c.birth_date and s.birth_date is not null
           or s.id_hash is distinct from c.id_number_hash and s.id_hash is not null
           or s.mobile is distinct from c.mobile and s.mobile is not null or s.email is distinct from c.email and s.email is not null
           or s.address is distinct from c.address and s.address is not null
           or s.employer is distinct from c.employer and s.employer is not null
           or s.job_title is distinct from c.job_title and s.job_title is not null
           or s.nationality is distinct from c.nationality and s.nationality is not null)
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
           bool_or(field = 'id_number') as id_number
    from changes where disposition = 'apply'
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
    address = coalesce(a.address, c.address),
    employer = coalesce(a.employer, c.employer),
    job_title = coalesce(a.job_title, c.job_title),
    nationality = coalesce(a.nationality, c.nationality),
    id_number_hash = case when a.id_number then s.id_hash else c.id_number_hash end,
    id_number_enc = case when a.id_number then s.id_enc else c.id_number_enc end,
    id_number_masked = case when a.id_number then s.id_masked else c.id_number_masked end,
    extra = case when x.extra is null then c.extra else c.extra || x.extra end,
    contact_confirmed_at = case when s.mobile is not null or s.email is not null then now() else c.contact_confirmed_at end,
    updated_at = case when a.line_no is not null then now() else c.updated_at end
from intake_row s
left join applied a on a.line_no = s.line_no
left join applied_extra x on x.line_no = s.line_no
where s.customer_id = c.id and s.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null)
  -- a line that changes nothing, and confirms no contact or one confirmed today, would only write the same archive again
  and (a.line_no is not null
       or (s.mobile is not null or s.email is not null)
          and (c.contact_confirmed_at is null or c.contact_confirmed_at < :'confirmed_today'::timestamptz));
