-- Outcome: a row with a change waiting for review is review; one that changed or added anything
-- is an update; the rest are duplicates (a row that opened an archive is new already).
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
where s.ingest_id = :'ingest_id'::bigint and s.outcome is null;
