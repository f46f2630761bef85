-- Archives opened from a low-trust source wait for review as a whole (D-16).
with held as (
    update customer c set review_status = 'pending'
    from intake_row s where s.ingest_id = :'ingest_id'::bigint and s.outcome = 'new' and c.id = s.customer_id
)
update intake_row set outcome = 'review' where ingest_id = :'ingest_id'::bigint and outcome = 'new';
