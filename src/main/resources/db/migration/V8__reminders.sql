-- D-17, D-20 … D-22, D-30: reminders for the people who act on the archive (visit plan,
-- greetings, next-day follow-ups, staleness review, completeness report).

-- D-8: who made a visit, by role (store-manager, sales-manager, outreach-supervisor,
-- outreach-staff, service, front-desk …): the visit plan counts the next due date per archive
-- and role from the last entry of that role.
alter table visit_ledger add column owner_role text;
create index visit_ledger_role on visit_ledger (customer_id, owner_role, visited_on);

-- A reminder is issued once: the unique key (archive, kind, owner role, due date, subject) makes
-- a re-run of a day, or a second instance, insert nothing new (insert … on conflict do nothing).
create table reminder (
    id              bigserial   primary key,
    customer_id     bigint      not null references customer (id),
    kind            text        not null check (kind in ('visit', 'greeting', 'follow-up', 'staleness', 'completeness')),
    owner_role      text        not null,               -- who acts: a cadence role or a post
    channel         text,                               -- phone, letter, email, visit, sms; null: internal
    due_on          date        not null,
    subject         text        not null default '',    -- e.g. 'birthday', 'festival:中秋', missing fields
    facts           jsonb       not null default '{}'::jsonb,  -- what helps; never health data in clear (ids only)
    job             text        not null,               -- the job that issued it
    issued_on       date        not null,               -- the day that job ran for
    status          text        not null default 'open' check (status in ('open', 'closed')),
    closed_at       timestamptz,
    closed_by_visit bigint      references visit_ledger (id),
    digested_at     timestamptz,                        -- when the digest mail listing it was sent
    created_at      timestamptz not null default now(),
    unique (customer_id, kind, owner_role, due_on, subject)
);
create index reminder_issued on reminder (job, issued_on);
create index reminder_open on reminder (customer_id, owner_role) where status = 'open';

-- The hook for consent (a later issue): every marketing reminder (visit plan, greetings) is
-- issued only for archives where this is true. Replace its body when consent and withdrawal
-- are recorded; kept a one-line SQL function so the planner inlines it.
create function marketing_ok(p_customer bigint) returns boolean
language sql stable as $$
    select true
$$;

-- The next anniversary of a date on or after a day (29 February falls on 28 February in other years).
create function next_occurrence(p_date date, p_from date) returns date
language sql immutable as $$
    select case
        when (p_date + make_interval(years => (extract(year from p_from) - extract(year from p_date))::int))::date >= p_from
        then (p_date + make_interval(years => (extract(year from p_from) - extract(year from p_date))::int))::date
        else (p_date + make_interval(years => (extract(year from p_from) - extract(year from p_date))::int + 1))::date
    end
$$;
