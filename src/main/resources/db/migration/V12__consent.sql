-- Per-customer keys on the bulk path, and consent per purpose (D-28, PIPL).

-- The bulk path seals a staged line's sensitive values with a fresh data key of the line's own
-- (the customer is not known before the merge); the merge files the key in customer_key under the
-- customer whose archive keeps those values. Consent columns carry what the line says about consent.
alter table intake_row
    add column key_id            uuid,
    add column key_wrapped       bytea,
    add column consent_service   boolean,
    add column consent_marketing boolean,
    add column consent_sensitive boolean,
    add column consent_version   text;

-- Consent per purpose, with its history: a withdrawal is a new row; the latest row of a customer
-- and purpose is what holds (by recorded_at, then id).
create table consent (
    id               bigserial   primary key,
    customer_id      bigint      not null references customer (id),
    purpose          text        not null check (purpose in ('service', 'marketing', 'sensitive')),
    granted          boolean     not null,
    source           text        not null,      -- file:registrations, mail:mail, survey:surveys, contracts:contracts, api, staff …
    wording_version  text,                      -- the version of the consent text the customer saw
    recorded_by      text,                      -- person or system that recorded it
    recorded_at      timestamptz not null default now(),
    source_ingest_id bigint,                    -- provenance when it came with an input line
    source_line      integer
);
create index consent_latest on consent (customer_id, purpose, recorded_at desc, id desc);
create index consent_source on consent (source_ingest_id, source_line) where source_ingest_id is not null;

-- The latest recorded decision of a customer for a purpose; null when none was ever recorded.
create function consent_granted(p_customer bigint, p_purpose text) returns boolean
language sql stable as $$
    select k.granted from consent k where k.customer_id = p_customer and k.purpose = p_purpose
    order by k.recorded_at desc, k.id desc limit 1
$$;

-- Marketing (visit plan, greetings, follow-ups, their feeds and digests) needs consent (PIPL):
-- no consent recorded = not ok; a withdrawal takes effect at once.
create or replace function marketing_ok(p_customer bigint) returns boolean
language sql stable as $$
    select coalesce(consent_granted(p_customer, 'marketing'), false)
$$;

-- Archives holding sensitive data (full ID number, health facts) without a granted separate
-- consent for sensitive data: for the KPI and completeness reports.
create view sensitive_without_consent as
select c.id                                          as customer_id,
       c.archive_no,
       c.id_number_enc is not null                   as has_id_number,
       (select count(*) from health_fact h where h.customer_id = c.id)::int as health_facts,
       consent_granted(c.id, 'sensitive')            as consent,           -- null: never recorded; false: withdrawn/refused
       (select max(k.recorded_at) from consent k where k.customer_id = c.id and k.purpose = 'sensitive') as consent_recorded_at,
       (select max(h.created_at) from health_fact h where h.customer_id = c.id) as last_health_at
from customer c
where (c.id_number_enc is not null or exists (select 1 from health_fact h where h.customer_id = c.id))
  and coalesce(consent_granted(c.id, 'sensitive'), false) = false;
