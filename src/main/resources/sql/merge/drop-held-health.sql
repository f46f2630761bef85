-- Strict consent: the held health values are not filed as facts.
update intake_row s set allergy_enc = null, allergy_hash = null, health_enc = null, health_hash = null
where s.ingest_id = :'ingest_id'::bigint and (s.allergy_enc is not null or s.health_enc is not null)
  and not coalesce(consent_granted(s.customer_id, 'sensitive'), false);
