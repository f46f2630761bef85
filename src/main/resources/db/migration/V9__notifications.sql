-- D-22, D-27 delivery of notification events (the outbox of V6) to the configured subscribers.
-- The relay first fans each new event out to the subscribers of its kind (one delivery row per
-- event and subscriber, and relayed_at on the event), then delivers the due rows. A delivery is
-- never dropped: a failure is retried with exponential back-off; after the last attempt it is
-- parked, visible to `notifications list --parked`, until a person retries it.
alter table notification_event add column relayed_at timestamptz;   -- when its deliveries were created
create index notification_event_unrelayed on notification_event (created_at) where relayed_at is null;

create table notification_delivery (
    event_id        uuid        not null references notification_event (id),
    subscriber      text        not null,                 -- name from dangan.notify.subscribers
    status          text        not null default 'pending' check (status in ('pending', 'delivered', 'parked')),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null,                 -- also the claim: a relay pushes it ahead while it delivers
    last_attempt_at timestamptz,
    last_error      text,                                 -- why the last attempt failed (no payload in it)
    delivered_at    timestamptz,
    created_at      timestamptz not null default now(),
    primary key (event_id, subscriber)
);
create index notification_delivery_due on notification_delivery (next_attempt_at) where status = 'pending';
create index notification_delivery_parked on notification_delivery (last_attempt_at) where status = 'parked';
