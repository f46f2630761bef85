package dangan.notify;

import dangan.metrics.Metrics;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
                limit ?
                for update skip locked),
            added as (
                insert into notification_delivery (event_id, subscriber, next_attempt_at)
                select f.id, s.name, ?
                from fresh f join unnest(?::text[], ?::text[], ?::text[]) as s(name, kind, owner_role)
                  on (s.kind = f.kind or (s.kind = '*' and f.kind <> 'delivery_parked'))
                 and (s.owner_role is null or f.kind <> 'visit_plan' or f.payload ->> 'owner_role' = s.owner_role)
                on conflict do nothing)
            update notification_event e set relayed_at = ?
            from fresh where e.id = fresh.id""";

    private static final String CLAIM = """
            with due as (
                select event_id, subscriber from notification_delivery
                where status = 'pending' and next_attempt_at <= ? and subscriber = any (?::text[])
                order by next_attempt_at
                limit ?
                for update skip locked)
            update notification_delivery d
               set attempts = d.attempts + 1, last_attempt_at = ?, next_attempt_at = ?
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
                         else e.payload end)::text
            from notification_event e left join customer c on c.id = e.customer_id
            where e.id = any (?::uuid[])""";

    private final DataSource dataSource;
    private volatile Metrics metrics = Metrics.NONE;
    private final Duration retryBase;
    private final Duration retryMax;
    private final int maxAttempts;
    private final Duration claimFor;

    public DeliveryBook(DataSource dataSource, Duration retryBase, Duration retryMax, int maxAttempts, Duration claimFor) {
        this.dataSource = dataSource;
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
    public int fanOut(List<Subscriber> subscribers, Instant now, int batch) throws SQLException {
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
        int total = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            while (true) {
                int done;
                try (PreparedStatement ps = c.prepareStatement(FAN_OUT)) {
                    ps.setInt(1, batch);
                    ps.setTimestamp(2, Timestamp.from(now));
                    ps.setArray(3, c.createArrayOf("text", names.toArray()));
                    ps.setArray(4, c.createArrayOf("text", kinds.toArray()));
                    ps.setArray(5, c.createArrayOf("text", ownerRoles.toArray()));
                    ps.setTimestamp(6, Timestamp.from(now));
                    done = ps.executeUpdate();
                }
                total += done;
                if (done < batch) return total;
            }
        }
    }

    /**
     * Claims up to {@code batch} due deliveries of the given subscribers: counts the attempt and moves
     * their next attempt past the claim time, so another relay skips them while this one delivers
     * (and takes them over if this one dies in the middle — receivers de-duplicate by event id).
     */
    public List<Delivery> claim(List<String> subscribers, Instant now, int batch) throws SQLException {
        List<Delivery> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<UUID> events = new ArrayList<>();
                List<Object[]> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
                    ps.setTimestamp(1, Timestamp.from(now));
                    ps.setArray(2, c.createArrayOf("text", subscribers.toArray()));
                    ps.setInt(3, batch);
                    ps.setTimestamp(4, Timestamp.from(now));
                    ps.setTimestamp(5, Timestamp.from(now.plus(claimFor)));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            UUID id = (UUID) rs.getObject(1);
                            events.add(id);
                            rows.add(new Object[] {id, rs.getString(2), rs.getInt(3)});
                        }
                    }
                }
                claimed.addAll(load(c, events, rows));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return claimed;
    }

    /** The claimed rows {event id, subscriber, attempt} with their events, in the order of the rows. */
    private static List<Delivery> load(Connection c, List<UUID> events, List<Object[]> rows) throws SQLException {
        List<Delivery> claimed = new ArrayList<>();
        if (events.isEmpty()) return claimed;
        java.util.Map<UUID, Object[]> byId = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(EVENTS)) {
            ps.setArray(1, c.createArrayOf("uuid", events.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byId.put((UUID) rs.getObject(1), new Object[] {rs.getString(2), rs.getObject(3, Long.class),
                            rs.getString(4), rs.getObject(5, OffsetDateTime.class), rs.getString(6)});
                }
            }
        }
        for (Object[] r : rows) {
            Object[] e = byId.get((UUID) r[0]);
            claimed.add(new Delivery((UUID) r[0], (String) r[1], (Integer) r[2], (String) e[0], (Long) e[1],
                    (String) e[2], (OffsetDateTime) e[3], (String) e[4]));
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
    public List<Delivery> claimInOrder(String subscriber, int perMinute, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(hashtext('dangan-chat:' || ?))")) {
                    ps.setString(1, subscriber);
                    ps.execute();
                }
                int budget = perMinute;
                try (PreparedStatement ps = c.prepareStatement("""
                        select count(*) from notification_delivery
                        where subscriber = ? and last_attempt_at > ? and last_attempt_at <= ?""")) {
                    ps.setString(1, subscriber);
                    ps.setTimestamp(2, Timestamp.from(now.minusSeconds(60)));
                    ps.setTimestamp(3, Timestamp.from(now));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        budget -= rs.getInt(1);
                    }
                }
                List<UUID> events = new ArrayList<>();
                if (budget > 0) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            select d.event_id, d.next_attempt_at <= ? as due
                            from notification_delivery d join notification_event e on e.id = d.event_id
                            where d.subscriber = ? and d.status = 'pending'
                            order by e.created_at, e.id
                            limit ?
                            for update of d""")) {
                        ps.setTimestamp(1, Timestamp.from(now));
                        ps.setString(2, subscriber);
                        ps.setInt(3, budget);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next() && rs.getBoolean(2)) events.add((UUID) rs.getObject(1));
                        }
                    }
                }
                List<Object[]> rows = new ArrayList<>();
                if (!events.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            update notification_delivery
                               set attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?
                            where subscriber = ? and event_id = any (?::uuid[])
                            returning event_id, attempts""")) {
                        ps.setTimestamp(1, Timestamp.from(now));
                        ps.setTimestamp(2, Timestamp.from(now.plus(claimFor)));
                        ps.setString(3, subscriber);
                        ps.setArray(4, c.createArrayOf("uuid", events.toArray()));
                        java.util.Map<UUID, Integer> attempts = new java.util.HashMap<>();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) attempts.put((UUID) rs.getObject(1), rs.getInt(2));
                        }
                        for (UUID id : events) rows.add(new Object[] {id, subscriber, attempts.get(id)});
                    }
                }
                List<Delivery> claimed = load(c, events, rows);
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The robot said "too fast": the delivery stays in line for {@code until} (then it goes first),
     * and the attempt is not counted — a rate limit is queueing, never a reason to park.
     */
    public void deferred(Delivery d, Instant until, String reason) throws SQLException {
        update("""
                update notification_delivery set attempts = greatest(attempts - 1, 0), next_attempt_at = ?, last_error = ?
                where event_id = ? and subscriber = ? and status = 'pending'""", Timestamp.from(until), reason, d.eventId(),
                d.subscriber());
    }

    /**
     * A claimed delivery this run did not attempt (one before it failed): back in line, no attempt counted,
     * and not counted against the robot's rate either (its claim time is cleared).
     */
    public void released(Delivery d, Instant now) throws SQLException {
        update("""
                update notification_delivery set attempts = greatest(attempts - 1, 0), next_attempt_at = ?,
                       last_attempt_at = null
                where event_id = ? and subscriber = ? and status = 'pending'""", Timestamp.from(now), d.eventId(), d.subscriber());
    }

    /** The receiver refused the delivery for good (wrong key or signature, robot removed): parked at once, with the reason. */
    public void refused(Delivery d, String reason) throws SQLException {
        park(d, reason);
    }

    public void delivered(Delivery d, Instant now) throws SQLException {
        update("""
                update notification_delivery set status = 'delivered', delivered_at = ?, last_error = null
                where event_id = ? and subscriber = ? and status = 'pending'""", Timestamp.from(now), d.eventId(), d.subscriber());
        metrics.delivery("delivered");
    }

    /** Records a failed attempt; returns true when it was the last one and the delivery is now parked. */
    public boolean failed(Delivery d, Instant now, String error) throws SQLException {
        boolean park = d.attempt() >= maxAttempts;
        if (park) {
            park(d, error);
        } else {
            update("""
                    update notification_delivery set next_attempt_at = ?, last_error = ?
                    where event_id = ? and subscriber = ? and status = 'pending'""",
                    Timestamp.from(now.plus(backOff(d.attempt()))), error, d.eventId(), d.subscriber());
            metrics.delivery("retried");
        }
        return park;
    }

    /**
     * Parks a delivery and, in the same statement, records a {@code delivery_parked} event for the
     * people who watch the relay (not for a parked {@code delivery_parked} itself: no echo).
     */
    private void park(Delivery d, String reason) throws SQLException {
        update("""
                with parked as (
                    update notification_delivery set status = 'parked', last_error = ?
                    where event_id = ? and subscriber = ? and status = 'pending'
                    returning event_id, subscriber, attempts)
                insert into notification_event (kind, payload)
                select 'delivery_parked', jsonb_build_object('event_id', p.event_id, 'subscriber', p.subscriber, 'kind', ?::text,
                                                             'archive_no', ?::text, 'attempts', p.attempts, 'reason', ?::text)
                from parked p
                where ?::text <> 'delivery_parked'""", reason, d.eventId(), d.subscriber(), d.kind(), d.archiveNo(), reason, d.kind());
        metrics.delivery("parked");
    }

    /** The wait after the given failed attempt: base, 2 × base, 4 × base … at most the configured maximum. */
    public Duration backOff(int attempt) {
        Duration wait = retryBase;
        for (int i = 1; i < attempt && wait.compareTo(retryMax) < 0; i++) wait = wait.multipliedBy(2);
        return wait.compareTo(retryMax) > 0 ? retryMax : wait;
    }

    /** Deliveries in one status (or all when null), oldest first. */
    public List<Row> list(String status, int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select d.event_id, d.subscriber, e.kind, cu.archive_no, d.status, d.attempts, e.created_at,
                            d.next_attempt_at, d.last_error
                     from notification_delivery d
                     join notification_event e on e.id = d.event_id
                     left join customer cu on cu.id = e.customer_id
                     where ?::text is null or d.status = ?
                     order by e.created_at, d.subscriber
                     limit ?""")) {
            ps.setString(1, status);
            ps.setString(2, status);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row((UUID) rs.getObject(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getInt(6), rs.getObject(7, OffsetDateTime.class), rs.getObject(8, OffsetDateTime.class),
                            rs.getString(9)));
                }
            }
        }
        return rows;
    }

    /**
     * Puts parked (or pending) deliveries of an event back in line for the next relay run, with a
     * fresh count of attempts; {@code subscriber} null means every subscriber of the event. Returns how many.
     */
    public int retry(UUID eventId, String subscriber) throws SQLException {
        return update("""
                update notification_delivery set status = 'pending', attempts = 0, next_attempt_at = now()
                where event_id = ? and (?::text is null or subscriber = ?) and status in ('parked', 'pending')""",
                eventId, subscriber, subscriber);
    }

    private int update(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setAutoCommit(true);
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            return ps.executeUpdate();
        }
    }
}
