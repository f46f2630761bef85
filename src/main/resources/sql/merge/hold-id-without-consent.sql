-- Strict consent: a full ID number just filed for a customer without consent to sensitive data
-- waits in the review queue instead. Why: the message merge.held.sensitive with the archive number,
-- said when the merge ends (MergeTexts).
with held as (
    select s.ingest_id, s.line_no, s.customer_id, s.id_hash, s.id_enc, s.id_masked,
           jsonb_build_object('archive', c.archive_no) as why
    from intake_row s join customer c on c.id = s.customer_id and c.id_number_enc = s.id_enc
    where s.ingest_id = :'ingest_id'::bigint and not coalesce(consent_granted(s.customer_id, 'sensitive'), false)
), cleared as (
    update customer c set id_number_enc = null from held h where c.id = h.customer_id
), queued as (
    insert into pending_change (customer_id, field, current_value, proposed_value, proposed_hash, proposed_enc,
                                reason_key, reason_args, source_ingest_id, source_line)
    select customer_id, 'id_number', id_masked, id_masked, id_hash, id_enc, 'merge.held.sensitive', why, ingest_id, line_no
    from held
), changes as (
    insert into intake_change (ingest_id, line_no, customer_id, field, new_value, disposition, why_key, why_args)
    select ingest_id, line_no, customer_id, 'id_number (held)', id_masked, 'hold', 'merge.held.sensitive', why from held
)
insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason_key, reason_args, severity)
select ingest_id, line_no, 'id_number', id_masked, 'merge.held.sensitive', why, 'warning' from held;
