-- Consent the lines carry (PIPL, D-28), per purpose, recorded under the customer each line
-- belongs to — unless it repeats the customer's latest decision with the same wording.
insert into consent (customer_id, purpose, granted, source, wording_version, recorded_by, source_ingest_id, source_line)
select s.customer_id, p.purpose, p.granted, i.source_type || ':' || i.channel, s.consent_version, 'intake',
       s.ingest_id, s.line_no
from intake_row s join ingest i on i.id = s.ingest_id
cross join lateral (values ('service', s.consent_service), ('contact', s.consent_contact), ('marketing', s.consent_marketing),
                           ('sensitive', s.consent_sensitive)) p(purpose, granted)
left join lateral (select k.granted, k.wording_version from consent k
                   where k.customer_id = s.customer_id and k.purpose = p.purpose
                   order by k.recorded_at desc, k.id desc limit 1) last on true
where s.ingest_id = :'ingest_id'::bigint and p.granted is not null
  and (s.consent_service is not null or s.consent_contact is not null or s.consent_marketing is not null or s.consent_sensitive is not null)
  and (last.granted is distinct from p.granted or last.wording_version is distinct from s.consent_version)
order by s.line_no, p.purpose;
