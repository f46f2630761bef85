package dangan.access;

import dangan.i18n.Localized;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.store.Db;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The console's server-side sessions: one per sign-in, its id in an HttpOnly cookie (only its
 * SHA-256 is stored), a CSRF token the page sends back on every state-changing call, an idle and
 * an absolute timeout, and an end at sign-out. Sign-in and sign-out are audited.
 */
public final class ConsoleSessions {

    /** The cookie that carries the session id. */
    public static final String COOKIE = "dangan_session";

    /** A session just opened: the cookie value (shown to the browser only) and its CSRF token. */
    public record Opened(String cookie, String csrf) {
    }

    /** The member of staff behind a live session and the CSRF token their page must send. */
    public record Live(Caller caller, String csrf) {
    }

    /**
     * The live session; its {@code last_seen} is written when it is a minute old or more, not on every
     * request (as a token's {@code last_used}): the console's calls commit nothing here, and the idle
     * timeout is still kept to the minute.
     */
    private static final String FIND = """
            with live as (
                select id_hash, user_id, csrf_token, last_seen from console_session
                 where id_hash = :hash and ended_at is null
                   and last_seen > now() - make_interval(secs => :idle)
                   and created_at > now() - make_interval(secs => :absolute)),
            seen as (
                update console_session s set last_seen = now() from live
                 where s.id_hash = live.id_hash and live.last_seen < now() - interval '1 minute')
            select u.id, u.name, u.role, live.csrf_token from live join staff_user u on u.id = live.user_id where u.active""";

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final Duration idle;
    private final Duration absolute;
    private final SecureRandom random = new SecureRandom();

    public ConsoleSessions(DataSource dataSource, AuditTrail audit, Duration idle, Duration absolute) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.idle = idle;
        this.absolute = absolute;
    }

    public Duration absolute() {
        return absolute;
    }

    /** Opens a session for a caller who just proved their password. */
    public Opened open(Caller caller, String address) {
        String cookie = randomText();
        String csrf = randomText();
        jdbi.useTransaction(h -> {
            h.createUpdate("insert into console_session (id_hash, user_id, csrf_token, address) values (:hash, :user, :csrf, :address)")
                    .bind("hash", sha256(cookie)).bind("user", caller.userId()).bind("csrf", csrf).bind("address", address)
                    .execute();
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "sign-in", null, List.of(), null, null,
                    AuditEntry.OK, Localized.of("audit.console.sign-in", "address", address)));
        });
        return new Opened(cookie, csrf);
    }

    /** The live session with this cookie value (and marks it used), or nothing when unknown, ended or timed out. */
    public Optional<Live> find(String cookie) {
        if (cookie == null || cookie.isBlank() || cookie.length() > 100) return Optional.empty();
        return jdbi.withHandle(h -> h.createQuery(FIND)
                .bind("hash", sha256(cookie)).bind("idle", idle.toSeconds()).bind("absolute", absolute.toSeconds())
                .map((rs, ctx) -> new Live(new Caller(rs.getLong("id"), rs.getString("name"), Role.of(rs.getString("role"))),
                        rs.getString("csrf_token")))
                .findOne());
    }

    /** Ends the session on the server: the cookie stops working at once, whatever the browser keeps. */
    public void end(String cookie, Caller caller) {
        jdbi.useTransaction(h -> {
            int ended = h.createUpdate("update console_session set ended_at = now() where id_hash = :hash and ended_at is null")
                    .bind("hash", sha256(cookie)).execute();
            if (ended == 0) return;
            audit.record(h, new AuditEntry(caller.name(), caller.role().label(), "sign-out", null, List.of(), null, null,
                    AuditEntry.OK, Localized.of("audit.console.sign-out")));
        });
    }

    private String randomText() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
