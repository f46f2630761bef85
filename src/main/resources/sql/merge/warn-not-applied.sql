-- A warning per change of the round not applied (held or refused), with why.
insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason, reason_key, reason_args, severity)
select x.ingest_id, x.line_no, x.field, x.new_value, x.why, x.why_key, x.why_args, 'warning'
from intake_change x join intake_row s on s.ingest_id = x.ingest_id and s.line_no = x.line_no
where x.ingest_id = :'ingest_id'::bigint and (s.merge_round = :'round'::int or :'round'::int = 1 and s.merge_round is null and s.outcome is null) and x.disposition <> 'apply';
