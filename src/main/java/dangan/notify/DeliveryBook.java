package dangan.notify;

import dangan.metrics.Metrics;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.Update;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The delivery bookkeeping (table notification_delivery, V9): fans new events out to their
 * subscribers, claims due deliveries (so two relaying instances never take the same one), and
 * records each outcome — delivered, retried later with exponential back-off, or parked.
 */
public final class DeliveryBook {

    /** One delivery in hand: the event and the subscriber it goes to, and which attempt this is. */
    public record Delivery(UUID eventId, String subscriber, int attempt, String kind, Long customerId, String archiveNo,
                           OffsetDateTime occurredAt, String payload) {
    }

    /** A delivery as {@code notifications list} shows it. */
    public record Row(UUID eventId, String subscriber, String kind, String archiveNo, String status, int attempts,
                      OffsetDateTime createdAt, OffsetDateTime nextAttemptAt, String lastError) {
    }

    // '*' is every kind but delivery_parked, which is about the relay itself and is only sent to who names it;
    // a subscriber with an owner role gets only that role's visit plan
    private static final String FAN_OUT = """
            with fresh as (
                select id, kind, payload from notification_event
                where relayed_at is null
                order by created_at
                limit :batch
                for update skip locked),
            added as (
                insert into notification_delivery (event_id, subscriber, next_attempt_at)
                select f.id, s.name, :now
                from fresh f join unnest(cast(:names as text[]), cast(:kinds as text[]), cast(:ownerRoles as text[])) as s(name, kind, owner_role)
                  on (s.kind = f.kind or (s.kind = '*' and f.kind <> 'delivery_parked'))
                 and (s.owner_role is null or f.kind <> 'visit_plan' or f.payload ->> 'owner_role' = s.owner_role)
                on conflict do nothing)
            update notification_event e set relayed_at = :now
            from fresh where e.id = fresh.id""";

    private static final String CLAIM = """
            with due as (
                select event_id, subscriber from notification_delivery
                where status = 'pending' and next_attempt_at <= :now and subscriber = any (:subscribers)
                order by next_attempt_at
                limit :batch
                for update skip locked)
            update notification_delivery d
               set attempts = d.attempts + 1, last_attempt_at = :now, next_attempt_at = :claimedUntil
            from due
            where d.event_id = due.event_id and d.subscriber = due.subscriber
            returning d.event_id, d.subscriber, d.attempts""";

    // a visit plan's event names its first reminders by id: what they are (archive, name, tier, due day,
    // channel) is read now, so an archive destroyed since is not in it
    private static final String EVENTS = """
            select e.id, e.kind, e.customer_id, c.archive_no, e.created_at,
                   (case when e.kind = 'visit_plan'
                         then e.payload || jsonb_build_object('first', coalesce((
                                  select jsonb_agg(jsonb_build_object('archive_no', rc.archive_no, 'name', rc.name, 'tier', rc.tier,
                                                                     'due_on', r.due_on, 'channel', r.channel)
                                                   order by r.due_on, rc.archive_no)
                                  from reminder r join customer rc on rc.id = r.customer_id
                                  where r.id in (select x::bigint from jsonb_array_elements_text(e.payload -> 'reminders') x)),
                                  '[]'::jsonb))
                         else e.payload end)::text as payload
            from notification_event e left join customer c on c.id = e.customer_id
            where e.id = any (:events)""";

    private final Jdbi jdbi;
    private volatile Metrics metrics = Metrics.NONE;
    private final Duration retryBase;
    private final Duration retryMax;
    private final int maxAttempts;
    private final Duration claimFor;

    public DeliveryBook(DataSource dataSource, Duration retryBase, Duration retryMax, int maxAttempts, Duration claimFor) {
        this.jdbi = dataSource == null ? null : Db.jdbi(dataSource); // none: only the back-off arithmetic
        this.retryBase = retryBase;
        this.retryMax = retryMax;
        this.maxAttempts = maxAttempts;
        this.claimFor = claimFor;
    }

    /** Where delivered, retried and parked deliveries are counted (the service's registry; none unless set). */
    public void metrics(Metrics metrics) {
        this.metrics = metrics;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** Creates the deliveries of events not relayed yet, for the subscribers of each event's kind; returns the events fanned out. */
    public int fanOut(List<Subscriber> subscribers, Instant now, int batch) {
        List<String> names = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> ownerRoles = new ArrayList<>();
        for (Subscriber s : subscribers) {
            for (String kind : s.kinds()) {
                names.add(s.name());
                kinds.add(kind);
                ownerRoles.add(s.chat() == null ? null : s.chat().ownerRole());
            }
        }
        return jdbi.withHandle(h -> { // one batch a statement, each committed on its own
            int total = 0;
            while (true) {
                int done = h.createUpdate(FAN_OUT).bind("batch", batch).bind("now", now)
                        .bindArray("names", String.class, names).bindArray("kinds", String.class, kinds)
                        .bindArray("ownerRoles", String.class, ownerRoles).execute();
                total += done;
                if (done < batch) return total;
            }
        });
    }

    /**
     * Claims up to {@code batch} due deliveries of the given subscribers: counts the attempt and moves
     * their next attempt past the claim time, so another relay skips them while this one delivers
     * (and takes them over if this one dies in the middle — receivers de-duplicate by event id).
     */
    public List<Delivery> claim(List<String> subscribers, Instant now, int batch) {
        return jdbi.inTransaction(h -> {
            List<Claimed> rows = h.createQuery(CLAIM).bind("now", now).bindArray("subscribers", String.class, subscribers)
                    .bind("batch", batch).bind("claimedUntil", now.plus(claimFor))
                    .map((rs, ctx) -> new Claimed(rs.getObject("event_id", UUID.class), rs.getString("subscriber"), rs.getInt("attempts")))
                    .list();
            return load(h, rows);
        });
    }

    /** A claimed delivery before its event is read: which event, to whom, which attempt. */
    private record Claimed(UUID eventId, String subscriber, int attempt) {
    }

    /** An event as a delivery carries it. */
    private record Event(String kind, Long customerId, String archiveNo, OffsetDateTime occurredAt, String payload) {
    }

    /** The claimed rows with their events, in the order of the rows. */
    private static List<Delivery> load(Handle h, List<Claimed> rows) {
        List<Delivery> claimed = new ArrayList<>();
        if (rows.isEmpty()) return claimed;
        Map<UUID, Event> byId = new HashMap<>();
        h.createQuery(EVENTS).bindArray("events", UUID.class, rows.stream().map(Claimed::eventId).toList())
                .map((rs, ctx) -> Map.entry(rs.getObject("id", UUID.class), new Event(rs.getString("kind"),
                        rs.getObject("customer_id", Long.class), rs.getString("archive_no"),
                        rs.getObject("created_at", OffsetDateTime.class), rs.getString("payload"))))
                .forEach(e -> byId.put(e.getKey(), e.getValue()));
        for (Claimed r : rows) {
            Event e = byId.get(r.eventId());
            claimed.add(new Delivery(r.eventId(), r.subscriber(), r.attempt(), e.kind(), e.customerId(), e.archiveNo(),
                    e.occurredAt(), e.payload()));
        }
        return claimed;
    }

    /**
     * Claims the next deliveries of one work-chat group robot, strictly in the order of their events:
     * the pending ones from the oldest on, as long as they are due (a delivery waiting for its retry
     * or held by another relay holds back every later one: the group reads them in order), and no
     * more than the robot takes in the minute — {@code perMinute} less the attempts of the last 60
     * seconds. Relays claim one robot's deliveries one at a time (an advisory lock per subscriber).
     */
    public List<Delivery> claimInOrder(String subscriber, int perMinute, Instant now) {
        return jdbi.inTransaction(h -> {
            h.createQuery("select 1 from pg_advisory_xact_lock(hashtext('dangan-chat:' || :subscriber))")
                    .bind("subscriber", subscriber).mapTo(Integer.class).one();
            int budget = perMinute - h.createQuery("""
                            select count(*) from notification_delivery
                            where subscriber = :subscriber and last_attempt_at > :since and last_attempt_at <= :now""")
                    .bind("subscriber", subscriber).bind("since", now.minusSeconds(60)).bind("now", now)
                    .mapTo(Integer.class).one();
            List<UUID> events = new ArrayList<>();
            if (budget > 0) {
                try (ResultIterator<Map.Entry<UUID, Boolean>> pending = h.createQuery("""
                                select d.event_id, d.next_attempt_at <= :now as due
                                from notification_delivery d join notification_event e on e.id = d.event_id
                                where d.subscriber = :subscriber and d.status = 'pending'
                                order by e.created_at, e.id
                                limit :budget
                                for update of d""")
                        .bind("now", now).bind("subscriber", subscriber).bind("budget", budget)
                        .map((rs, ctx) -> Map.entry(rs.getObject("event_id", UUID.class), rs.getBoolean("due"))).iterator()) {
                    while (pending.hasNext()) {
                        Map.Entry<UUID, Boolean> next = pending.next();
                        if (!next.getValue()) break;
                        events.add(next.getKey());
                    }
                }
            }
            List<Claimed> rows = new ArrayList<>();
            if (!events.isEmpty()) {
                Map<UUID, Integer> attempts = new HashMap<>();
                h.createQuery("""
                                update notification_delivery
                                   set attempts = attempts + 1, last_attempt_at = :now, next_attempt_at = :claimedUntil
                                where subscriber = :subscriber and event_id = any (:events)
                                returning event_id, attempts""")
                        .bind("now", now).bind("claimedUntil", now.plus(claimFor)).bind("subscriber", subscriber)
                        .bindArray("events", UUID.class, events)
                        .map((rs, ctx) -> Map.entry(rs.getObject("event_id", UUID.class), rs.getInt("attempts")))
                        .forEach(e -> attempts.put(e.getKey(), e.getValue()));
                for (UUID id : events) rows.add(new Claimed(id, subscriber, attempts.get(id)));
            }
            return load(h, rows);
        });
    }

    /**
     * The robot said "too fast": the delivery stays in line for {@code until} (then it goes first),
     * and the attempt is not counted — a rate limit is queueing, never a reason to park.
     */
    public void deferred(Delivery d, Instant until, String reason) {
        update("""
                update notification_delivery set attempts = greatest(attempts - 1, 0), next_attempt_at = :at, last_error = :error
                where event_id = :event and subscriber = :subscriber and status = 'pending'""",
                d, u -> u.bind("at", until).bind("error", reason));
    }

    /**
     * A claimed delivery this run did not attempt (one before it failed): back in line, no attempt counted,
     * and not counted against the robot's rate either (its claim time is cleared).
     */
    public void released(Delivery d, Instant now) {
        update("""
                update notification_delivery set attempts = greatest(attempts - 1, 0), next_attempt_at = :at,
                       last_attempt_at = null
                where event_id = :event and subscriber = :subscriber and status = 'pending'""", d, u -> u.bind("at", now));
    }

    /** The receiver refused the delivery for good (wrong key or signature, robot removed): parked at once, with the reason. */
    public void refused(Delivery d, String reason) {
        park(d, reason);
    }

    public void delivered(Delivery d, Instant now) {
        update("""
                update notification_delivery set status = 'delivered', delivered_at = :at, last_error = null
                where event_id = :event and subscriber = :subscriber and status = 'pending'""", d, u -> u.bind("at", now));
        metrics.delivery("delivered");
    }

    /** Records a failed attempt; returns true when it was the last one and the delivery is now parked. */
    public boolean failed(Delivery d, Instant now, String error) {
        boolean park = d.attempt() >= maxAttempts;
        if (park) {
            park(d, error);
        } else {
            update("""
                    update notification_delivery set next_attempt_at = :at, last_error = :error
                    where event_id = :event and subscriber = :subscriber and status = 'pending'""",
                    d, u -> u.bind("at", now.plus(backOff(d.attempt()))).bind("error", error));
            metrics.delivery("retried");
        }
        return park;
    }

    /**
     * Parks a delivery and, in the same statement, records a {@code delivery_parked} event for the
     * people who watch the relay (not for a parked {@code delivery_parked} itself: no echo).
     */
    private void park(Delivery d, String reason) {
        update("""
                with parked as (
                    update notification_delivery set status = 'parked', last_error = :error
                    where event_id = :event and subscriber = :subscriber and status = 'pending'
                    returning event_id, subscriber, attempts)
                insert into notification_event (kind, payload)
                select 'delivery_parked', jsonb_build_object('event_id', p.event_id, 'subscriber', p.subscriber, 'kind', cast(:kind as text),
                                                             'archive_no', cast(:archiveNo as text), 'attempts', p.attempts,
                                                             'reason', cast(:error as text))
                from parked p
                where cast(:kind as text) <> 'delivery_parked'""",
                d, u -> u.bind("error", reason).bind("kind", d.kind()).bind("archiveNo", d.archiveNo()));
        metrics.delivery("parked");
    }

    /** The wait after the given failed attempt: base, 2 × base, 4 × base … at most the configured maximum. */
    public Duration backOff(int attempt) {
        Duration wait = retryBase;
        for (int i = 1; i < attempt && wait.compareTo(retryMax) < 0; i++) wait = wait.multipliedBy(2);
        return wait.compareTo(retryMax) > 0 ? retryMax : wait;
    }

    /** Deliveries in one status (or all when null), oldest first. */
    public List<Row> list(String status, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        select d.event_id, d.subscriber, e.kind, cu.archive_no, d.status, d.attempts, e.created_at,
                               d.next_attempt_at, d.last_error
                        from notification_delivery d
                        join notification_event e on e.id = d.event_id
                        left join customer cu on cu.id = e.customer_id
                        where cast(:status as text) is null or d.status = :status
                        order by e.created_at, d.subscriber
                        limit :limit""")
                .bind("status", status).bind("limit", limit)
                .map((rs, ctx) -> new Row(rs.getObject("event_id", UUID.class), rs.getString("subscriber"), rs.getString("kind"),
                        rs.getString("archive_no"), rs.getString("status"), rs.getInt("attempts"),
                        rs.getObject("created_at", OffsetDateTime.class), rs.getObject("next_attempt_at", OffsetDateTime.class),
                        rs.getString("last_error")))
                .list());
    }

    /**
     * Puts parked (or pending) deliveries of an event back in line for the next relay run, with a
     * fresh count of attempts; {@code subscriber} null means every subscriber of the event. Returns how many.
     */
    public int retry(UUID eventId, String subscriber) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        update notification_delivery set status = 'pending', attempts = 0, next_attempt_at = now()
                        where event_id = :event and (cast(:subscriber as text) is null or subscriber = :subscriber)
                          and status in ('parked', 'pending')""")
                .bind("event", eventId).bind("subscriber", subscriber).execute());
    }

    /** One delivery's row updated (autocommit), with {@code :event} and {@code :subscriber} bound from it. */
    private void update(String sql, Delivery d, UnaryOperator<Update> values) {
        jdbi.useHandle(h -> values.apply(h.createUpdate(sql)).bind("event", d.eventId()).bind("subscriber", d.subscriber())
                .execute());
    }
}
