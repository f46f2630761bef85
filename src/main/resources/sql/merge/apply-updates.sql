-- Applies the round's accepted changes: one line per archive per round, pivoted back to columns.
-- A line with a mobile or an email confirms the archive's contact data (D-30: contact_confirmed_at,
-- which the quarterly timeliness review reads by the day). An archive whose contact was already
-- confirmed today (`confirmed_today`: the start of today in dangan.timezone) and that the line changes
-- in nothing is not written again: the day kept is the same, and every visit line of a known customer
-- would otherwise write a new version of its archive row and of all its index entries (issue 14).
update customer c set
    name = coalesce(a.name, c.name),
    gender = coalesce(a.gender, c.gender),
    birth_date = coalesce(a.birth_date::date, c.birth_date),
    mobile = coalesce(a.mobile, c.mobile),
    email = coalesce(a.email, c.email),
    address = coalesce(a.address, c.address),
    employer = coalesce(a.employer, c.employer),
    job_title = coalesce(a.job_title, c.job_title),
    nationality = coalesce(a.nationality, c.nationality),
    id_number_hash = case when a.id_number then s.id_hash else c.id_number_hash end,
    id_number_enc = case when a.id_number then s.id_enc else c.id_number_enc end,
    id_number_masked = case when a.id_number then s.id_masked else c.id_number_masked end,
    extra = c.extra || coalesce(a.extra, '{}'::jsonb),
    contact_confirmed_at = case when s.mobile is not null or s.email is not null then now() else c.contact_confirmed_at end,
    updated_at = case when a.line_no is not null then now() else c.updated_at end
from intake_row s
left join (
    select line_no,
           max(new_value) filter (where field = 'name') as name,
           max(new_value) filter (where field = 'gender') as gender,
           max(new_value) filter (where field = 'birth_date') as birth_date,
           max(new_value) filter (where field = 'mobile') as mobile,
           max(new_value) filter (where field = 'email') as email,
           max(new_value) filter (where field = 'address') as address,
           max(new_value) filter (where field = 'employer') as employer,
           max(new_value) filter (where field = 'job_title') as job_title,
           max(new_value) filter (where field = 'nationality') as nationality,
           bool_or(field = 'id_number') as id_number,
           jsonb_object_agg(substr(field, 7), new_value) filter (where field like 'extra.%') as extra
    from intake_change where ingest_id = :'ingest_id'::bigint and disposition = 'apply'
    group by line_no
) a on a.line_no = s.line_no
where s.customer_id = c.id and s.ingest_id = :'ingest_id'::bigint and s.merge_round = :'round'::int
  -- a line that changes nothing, and confirms no contact or one confirmed today, would only write the same archive again
  and (a.line_no is not null
       or (s.mobile is not null or s.email is not null)
          and (c.contact_confirmed_at is null or c.contact_confirmed_at < :'confirmed_today'::timestamptz));
