-- Retention, destruction and sealing (D-31, D-32). What is destroyed and how: dangan.retention.Destruction
-- (deletes every row of the customer, found from the catalog's foreign keys); what remains of it:
-- destruction_record (V11), the proposal below, subject_request (V13) and the audit log — archive
-- numbers, reasons and decisions, no personal data.

-- The last activity of an archive: its opening, its last update (a filed change), its last visit,
-- consumption or contract (consumption.visit_date), its last visit-ledger entry, its last feedback.
-- THE definition retention works from (the scheduled review and the proposals show it).
create view archive_last_activity as
select c.id as customer_id, c.archive_no,
       greatest(c.created_at, c.updated_at,
                x.last_visit::timestamptz, v.last_contact::timestamptz, f.last_feedback) as last_activity
from customer c
left join (select customer_id, max(visit_date) as last_visit from consumption group by customer_id) x
       on x.customer_id = c.id
left join (select customer_id, max(visited_on) as last_contact from visit_ledger group by customer_id) v
       on v.customer_id = c.id
left join (select customer_id, max(coalesce(submitted_at, created_at)) as last_feedback from feedback group by customer_id) f
       on f.customer_id = c.id;

-- A legal hold: while open, the archive is neither proposed nor destroyed (a dispute, an authority's request).
create table legal_hold (
    id          bigserial   primary key,
    customer_id bigint      not null references customer (id),
    reason      text        not null,
    placed_by   text        not null,
    placed_at   timestamptz not null default now(),
    released_by text,
    released_at timestamptz
);
create index legal_hold_open on legal_hold (customer_id) where released_at is null;

-- D-31 the application (销毁申请): archive numbers and the reason, filed by the retention review
-- (filed_by system:retention-review) or by the member of staff who took a customer's deletion request.
create table destruction_proposal (
    id          bigserial   primary key,
    reason      text        not null check (reason in ('retention', 'customer-request', 'damaged')),
    as_of       date,                                 -- retention: the review day the periods were counted to
    rules       jsonb       not null default '{}'::jsonb, -- retention: the periods applied
    note        text,
    filed_by    text        not null,
    filed_at    timestamptz not null default now(),
    status      text        not null default 'open' check (status in ('open', 'decided')),
    decided_at  timestamptz
);

-- One archive of a proposal. scope archive: the whole archive; health: only its health facts
-- (dangan.retention.health-years). customer_id goes null when the archive is destroyed; the
-- archive number stays (the application lists it, D-31), with no other personal data.
create table destruction_proposal_line (
    proposal_id        bigint      not null references destruction_proposal (id),
    line_no            integer     not null,
    customer_id        bigint      references customer (id) on delete set null,
    archive_no         text        not null,
    scope              text        not null default 'archive' check (scope in ('archive', 'health')),
    last_activity      timestamptz,
    subject_request_id bigint      references subject_request (id),
    status             text        not null default 'pending'
                                   check (status in ('pending', 'destroyed', 'sealed', 'rejected', 'gone', 'stale')),
    decided_by         text,
    decided_at         timestamptz,
    decision_reason    text,
    destruction_id     bigint      references destruction_record (id),   -- the record a destroyed line left
    -- gone: the archive was destroyed meanwhile; stale: a retention line whose archive was active again
    primary key (proposal_id, line_no)
);
create index destruction_line_customer on destruction_proposal_line (customer_id);
create index destruction_line_archive on destruction_proposal_line (archive_no);

-- Destroying an archive finds its rows by every foreign key to customer (and the set-null ones are
-- followed by PostgreSQL): these are the ones that had no index to do it with.
create index notification_event_customer on notification_event (customer_id);
create index companion_other_customer on companion (other_customer_id) where other_customer_id is not null;
create index pending_change_customer on pending_change (customer_id);
create index subject_request_customer on subject_request (customer_id);
create index survey_review_customer on survey_review (customer_id) where customer_id is not null;

-- D-32 a sealed archive is read-only, whatever path tries to change it (intake holds its lines
-- before they get here; this is the net under every other path: corrections, review queue, tiers).
-- Only the archive's data is guarded: re-sealing a value under a new key (same hash) and the
-- unsealing itself (sealed_at back to null) pass. The WHEN clause keeps other rows free of any cost.
create function customer_sealed_is_read_only() returns trigger language plpgsql as $$
begin
    raise exception 'archive % is sealed (D-32): it is read-only; a manager unseals it first (POST /api/archives/%/unseal)',
        old.archive_no, old.archive_no using errcode = 'check_violation';
end $$;
create trigger customer_sealed_read_only before update on customer
    for each row
    when (old.sealed_at is not null and new.sealed_at is not null
          and (old.archive_no, old.name, old.gender, old.birth_date, old.mobile, old.email, old.address, old.id_number_hash,
               old.employer, old.job_title, old.nationality, old.tier, old.extra)
              is distinct from
              (new.archive_no, new.name, new.gender, new.birth_date, new.mobile, new.email, new.address, new.id_number_hash,
               new.employer, new.job_title, new.nationality, new.tier, new.extra))
    execute function customer_sealed_is_read_only();
