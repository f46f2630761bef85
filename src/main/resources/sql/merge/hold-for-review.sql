-- The round's held changes wait in the review queue, with where the current value came from.
insert into pending_change (customer_id, field, current_value, current_source_ingest_id, current_source_line,
                            proposed_value, proposed_hash, proposed_enc, reason, reason_key, reason_args, source_ingest_id, source_line)
select x.customer_id, x.field, x.old_value,
       coalesce(last.source_ingest_id, c.source_ingest_id), coalesce(last.source_line, c.source_line),
       x.new_value,
       case when x.field = 'id_number' then s.id_hash end, case when x.field = 'id_number' then s.id_enc end,
       x.why, x.why_key, x.why_args, x.ingest_id, x.line_no
from intake_change x join intake_row s on s.ingest_id = x.ingest_id and s.line_no = x.line_no
join customer c on c.id = x.customer_id
left join lateral (select l.source_ingest_id, l.source_line from change_log l
                   where l.customer_id = x.customer_id and l.field = x.field
                   order by l.changed_at desc, l.id desc limit 1) last on true
where x.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null) and x.disposition = 'hold';
