-- The data keys of staged lines whose sealed values the archive now keeps (ID number on the
-- customer, health facts, held values in the review queue) are filed under the line's customer.
-- A line that opened its archive with an ID number put it there (open-archives.sql): or, without
-- consent under strict consent, into the review queue (hold-id-without-consent.sql) — kept either
-- way, so its key is filed without looking the archive up (100,000 look-ups for a file of new customers).
insert into customer_key (id, customer_id, wrapped)
select s.key_id, s.customer_id, s.key_wrapped from intake_row s
where s.ingest_id = :'ingest_id'::bigint and s.key_id is not null
  and ((s.outcome = 'new' and s.id_enc is not null)
       or exists (select 1 from customer c where c.id = s.customer_id and c.id_number_enc = s.id_enc)
       or exists (select 1 from health_fact h where h.source_ingest_id = s.ingest_id and h.source_line = s.line_no)
       or exists (select 1 from pending_change p where p.source_ingest_id = s.ingest_id
                  and p.source_line = s.line_no and p.proposed_enc is not null));
