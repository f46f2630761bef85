-- Strict consent (dangan.consent.strict): health values of customers without consent to sensitive
-- data wait in the review queue instead of being filed. Why: the message merge.held.sensitive with the
-- archive number, said when the merge ends (MergeTexts).
with held as (
    select s.ingest_id, s.line_no, s.customer_id, 'health:' || h.kind as field, h.enc, h.hash,
           jsonb_build_object('archive', c.archive_no) as why
    from intake_row s join customer c on c.id = s.customer_id
    cross join lateral (values ('allergy', s.allergy_enc, s.allergy_hash), ('note', s.health_enc, s.health_hash))
        h(kind, enc, hash)
    where s.ingest_id = :'ingest_id'::bigint and h.enc is not null
      and not coalesce(consent_granted(s.customer_id, 'sensitive'), false)
      and not exists (select 1 from health_fact f where f.customer_id = s.customer_id and f.kind = h.kind
                      and f.fact_key = h.hash)
), queued as (
    insert into pending_change (customer_id, field, proposed_value, proposed_hash, proposed_enc, reason_key, reason_args,
                                source_ingest_id, source_line)
    select customer_id, field, '[health data, encrypted]', hash, enc, 'merge.held.sensitive', why, ingest_id, line_no from held
), changes as (
    insert into intake_change (ingest_id, line_no, customer_id, field, new_value, disposition, why_key, why_args)
    select ingest_id, line_no, customer_id, field, '***', 'hold', 'merge.held.sensitive', why from held
)
insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason_key, reason_args, severity)
select ingest_id, line_no, field, '***', 'merge.held.sensitive', why, 'warning' from held;
