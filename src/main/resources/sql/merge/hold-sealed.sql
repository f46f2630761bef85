-- D-32: a sealed archive is read-only. A line that matched one changes nothing: its facts are
-- cleared from staging, it gets no update round, it counts as review, and a warning says why.
with held as (
    update intake_row s set outcome = 'review', merge_round = null, visit_date = null, amount = null, service = null, contract_no = null,
           pref_room = null, pref_dining = null, pref_other = null, allergy_enc = null, allergy_hash = null,
           health_enc = null, health_hash = null, anniversary = null, companions = null, referrer = null,
           consent_service = null, consent_contact = null, consent_marketing = null, consent_sensitive = null
    from customer c
    where s.ingest_id = :'ingest_id'::bigint and s.outcome is null and c.id = s.customer_id and c.sealed_at is not null
    returning s.ingest_id, s.line_no, c.archive_no
)
insert into intake_issue (ingest_id, line_no, column_name, value_shown, reason_key, reason_args, severity)
select ingest_id, line_no, null, null, 'merge.warn.sealed', jsonb_build_object('archive', archive_no), 'warning'
from held;
