-- Columns whose heading looks sensitive (issue 10): each value, sealed under the line's key, waits in the review
-- queue as a pending change 'held:<heading>' of the line's archive, to be accepted as health, allergies or an
-- extra attribute, or rejected (ReviewQueue). The same value already waiting for the archive is not queued twice.
-- Why: the message merge.held.heading with the heading and the archive number, said when the merge ends.
with held as (
    select distinct on (s.customer_id, c.key, c.value ->> 'hash')
           s.ingest_id, s.line_no, s.customer_id, c.key as heading,
           decode(c.value ->> 'enc', 'base64') as enc, decode(c.value ->> 'hash', 'base64') as hash,
           jsonb_build_object('heading', c.key, 'archive', u.archive_no) as why
    from intake_row s join customer u on u.id = s.customer_id
    cross join lateral jsonb_each(s.held) c
    where s.ingest_id = :'ingest_id'::bigint and s.held is not null
    order by s.customer_id, c.key, c.value ->> 'hash', s.line_no
)
insert into pending_change (customer_id, field, proposed_value, proposed_hash, proposed_enc, reason_key, reason_args,
                            source_ingest_id, source_line)
select customer_id, 'held:' || heading, '***', hash, enc, 'merge.held.heading', why, ingest_id, line_no
from held h
where not exists (select 1 from pending_change p where p.customer_id = h.customer_id and p.status = 'pending'
                  and p.field = 'held:' || h.heading and p.proposed_hash = h.hash);
