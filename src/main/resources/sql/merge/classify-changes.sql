-- One round's field changes, unpivoted, each with its disposition: applied, held for review
-- (low-trust source, or a contradiction of the customer's identity: D-13, D-16), or refused
-- because the identifier belongs to another archive. Whether it does is looked up only for an
-- identifier that changed. Why is a message key (area merge) and its arguments, said when the merge
-- ends (MergeTexts).
insert into intake_change (ingest_id, line_no, customer_id, field, old_value, new_value, disposition, why_key, why_args)
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
where s.ingest_id = :'ingest_id'::bigint and s.merge_round = :'round'::int and v.new_value is not null and v.changed
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
where s.ingest_id = :'ingest_id'::bigint and s.merge_round = :'round'::int and (c.extra ->> e.key) is distinct from e.value;
