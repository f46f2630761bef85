-- Dangan archive schema. Rule numbers refer to ../shared/DOMAIN.md.
-- Provenance: every fact carries source_ingest_id (ingest.id) and source_line. They have no
-- foreign key: the ingest ledger is append-only, and a per-row trigger would slow the bulk path.
-- Sensitive values (resident ID numbers, health data, raw rejected lines) are stored only
-- encrypted by the service (AES-GCM) plus, where they must be matched, a keyed hash
-- (HMAC-SHA-256 "blind index"); psql never shows them in clear.

-- Every file, message or poll that brings data: what came in, what became of it.
create table ingest (
    id              bigserial primary key,
    source_type     text        not null check (source_type in ('file', 'mail', 'contracts', 'survey', 'api')),
    channel         text        not null,            -- e.g. 'registrations'
    source_name     text        not null,            -- file name, message id, poll window
    checksum        text,                            -- SHA-256 of the content, hex
    size_bytes      bigint,
    format          text,                            -- csv/xlsx, with the detected encoding
    status          text        not null check (status in ('running', 'done', 'failed', 'duplicate')),
    duplicate_of    bigint references ingest (id),
    rows_total      integer     not null default 0,
    rows_new        integer     not null default 0,
    rows_updated    integer     not null default 0,
    rows_duplicate  integer     not null default 0,
    rows_rejected   integer     not null default 0,
    warnings        integer     not null default 0,
    extra_columns   text[],                          -- unmapped headers, kept as extra attributes
    error           text,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz
);
-- one successful ingest per content and channel: a re-dropped file is recognised (idempotent replay)
create unique index ingest_done_checksum on ingest (channel, checksum) where status = 'done';

-- Rejected lines and warnings, with the raw line kept (encrypted) so nothing is lost.
create table intake_issue (
    id           bigserial primary key,
    ingest_id    bigint  not null references ingest (id),
    line_no      integer not null,
    column_name  text,
    value_shown  text,                               -- masked where the value is sensitive
    reason       text    not null,
    severity     text    not null check (severity in ('reject', 'warning')),
    raw_enc      bytea                               -- the whole input line, encrypted
);
create index intake_issue_ingest on intake_issue (ingest_id, line_no);

-- D-14: archive number = year + month + serial; the counter never goes back, so numbers are never reused.
create table archive_serial (
    period      char(6) primary key,                 -- yyyyMM
    last_serial integer not null check (last_serial >= 0)
);

-- D-1 basic information; one row per customer (D-15).
create table customer (
    id                   bigserial primary key,
    archive_no           text        not null unique,
    name                 text        not null,
    gender               char(1) check (gender in ('M', 'F')),
    birth_date           date,
    mobile               text,
    email                text,
    address              text,
    id_number_enc        bytea,
    id_number_hash       bytea,
    id_number_masked     text,
    employer             text,
    job_title            text,
    nationality          text,
    tier                 char(1) check (tier in ('A', 'B', 'C', 'D', 'E')),
    status               text        not null default 'active' check (status in ('active', 'sealed')),
    extra                jsonb       not null default '{}'::jsonb,   -- columns a source had that the archive has no field for
    contact_confirmed_at timestamptz,                                 -- D-30
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    source_ingest_id     bigint,               -- provenance of the creating line
    source_line          integer
);
create unique index customer_mobile on customer (mobile) where mobile is not null;
create unique index customer_email on customer (email) where email is not null;
create unique index customer_id_number on customer (id_number_hash) where id_number_hash is not null;
create index customer_name on customer (name);

-- D-2 consumption: every visit, stay or meal.
create table consumption (
    id               bigserial primary key,
    customer_id      bigint  not null references customer (id),
    visit_date       date,
    amount           numeric(12, 2),
    service          text,
    payment_method   text,
    staff            text,
    branch           text,
    contract_no      text,
    fact_key         uuid    not null,                 -- md5 of the visit's content: the same visit from two files is one fact
    source_ingest_id bigint,
    source_line      integer,
    created_at       timestamptz not null default now(),
    unique (customer_id, fact_key)
);
create index consumption_source on consumption (source_ingest_id, source_line);

-- D-3 preferences, categorised (room / dining / other).
create table preference (
    id               bigserial primary key,
    customer_id      bigint not null references customer (id),
    category         text   not null check (category in ('room', 'dining', 'other')),
    detail           text   not null,
    fact_key         uuid   not null,                   -- md5 of category and detail
    source_ingest_id bigint,
    source_line      integer,
    created_at       timestamptz not null default now(),
    unique (customer_id, fact_key)
);
create index preference_source on preference (source_ingest_id, source_line);

-- D-4 health (sensitive): stored encrypted; fact_key is a keyed hash of the normalised text.
create table health_fact (
    id               bigserial primary key,
    customer_id      bigint not null references customer (id),
    kind             text   not null check (kind in ('allergy', 'chronic', 'contraindication', 'note')),
    detail_enc       bytea  not null,
    fact_key         bytea  not null,
    source_ingest_id bigint,
    source_line      integer,
    created_at       timestamptz not null default now(),
    unique (customer_id, kind, fact_key)
);
create index health_fact_source on health_fact (source_ingest_id, source_line);

-- D-5 feedback: scores, praise, suggestions, complaints and how each was handled.
create table feedback (
    id               bigserial primary key,
    customer_id      bigint not null references customer (id),
    kind             text   not null check (kind in ('score', 'praise', 'suggestion', 'complaint')),
    score            smallint check (score between 1 and 5),
    nps              smallint check (nps between 0 and 10),
    comment          text,
    service          text,
    staff            text,
    status           text   not null default 'open' check (status in ('open', 'closed')),
    handling         text,
    closed_at        timestamptz,
    submitted_at     timestamptz,
    source_ingest_id bigint,
    source_line      integer,
    created_at       timestamptz not null default now()
);
create index feedback_customer on feedback (customer_id);

-- D-6 special dates (the birthday itself is customer.birth_date).
create table special_date (
    id               bigserial primary key,
    customer_id      bigint not null references customer (id),
    kind             text   not null check (kind in ('wedding_anniversary', 'family_birthday', 'other')),
    occurs_on        date   not null,
    label            text,
    source_ingest_id bigint,
    source_line      integer,
    unique (customer_id, kind, occurs_on)
);

-- D-7 companions and referrals.
create table companion (
    id                  bigserial primary key,
    customer_id         bigint not null references customer (id),
    relation            text   not null check (relation in ('companion', 'referred_by', 'referred')),
    name                text   not null,
    other_customer_id   bigint references customer (id),
    source_ingest_id    bigint,
    source_line         integer,
    unique (customer_id, relation, name)
);

-- D-8 visit ledger: each follow-up call or visit made, by whom, with what outcome.
create table visit_ledger (
    id               bigserial primary key,
    customer_id      bigint not null references customer (id),
    visited_on       date   not null,
    staff            text,
    channel          text check (channel in ('phone', 'letter', 'email', 'visit', 'sms')),
    outcome          text,
    notes            text,
    source_ingest_id bigint,
    source_line      integer,
    created_at       timestamptz not null default now()
);
create index visit_ledger_customer on visit_ledger (customer_id, visited_on);

-- D-27 change register: every change with time, actor, reason and source.
create table change_log (
    id               bigserial primary key,
    customer_id      bigint      not null references customer (id),
    field            text        not null,
    old_value        text,                            -- masked for sensitive fields
    new_value        text,
    changed_at       timestamptz not null default now(),
    changed_by       text        not null,
    reason           text        not null,
    source_ingest_id bigint,
    source_line      integer
);
create index change_log_customer on change_log (customer_id, field, changed_at);
create index change_log_source on change_log (source_ingest_id, source_line);

-- Staging for the bulk path: rows are COPYed here, merged with SQL, then removed.
-- Unlogged: it only ever holds rows of an ingest whose transaction is still open.
create unlogged table intake_row (
    ingest_id    bigint  not null,
    line_no      integer not null,
    name         text    not null,
    gender       char(1),
    birth_date   date,
    mobile       text,
    email        text,
    address      text,
    id_hash      bytea,
    id_enc       bytea,
    id_masked    text,
    employer     text,
    job_title    text,
    nationality  text,
    extra        jsonb,
    visit_date   date,
    amount       numeric(12, 2),
    service      text,
    payment      text,
    staff        text,
    branch       text,
    pref_room    text,
    pref_dining  text,
    pref_other   text,
    allergy_enc  bytea,
    allergy_hash bytea,
    health_enc   bytea,
    health_hash  bytea,
    anniversary  date,
    companions   text,
    referrer     text,
    contract_no  text,
    customer_id  bigint,
    merge_round  integer,
    outcome      text check (outcome in ('new', 'updated', 'duplicate')),
    primary key (ingest_id, line_no)
);

create index special_date_source on special_date (source_ingest_id, source_line);
create index companion_source on companion (source_ingest_id, source_line);

-- D-14 in one place: reserve n consecutive serials of a month (the row lock queues concurrent
-- writers until they commit; the counter never goes back) and format a number from a serial.
create function archive_serial_reserve(p_period text, p_count integer) returns integer
language sql volatile as $$
    insert into archive_serial (period, last_serial) values (p_period, p_count)
    on conflict (period) do update set last_serial = archive_serial.last_serial + excluded.last_serial
    returning last_serial - p_count + 1
$$;

create function archive_no(p_period text, p_serial integer) returns text
language sql immutable as $$
    select p_period || lpad(p_serial::text, greatest(3, length(p_serial::text)), '0')
$$;
