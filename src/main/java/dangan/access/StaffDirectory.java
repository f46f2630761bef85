package dangan.access;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The staff who may use the API (D-24), their roles and their tokens. A token is 256 random bits,
 * shown once when issued; only its SHA-256 is stored. Every change here is audited.
 */
public final class StaffDirectory {

    /** A member of staff as {@code user list} shows them. */
    public record StaffMember(String name, Role role, boolean active, OffsetDateTime createdAt, String createdBy,
                              int liveTokens, OffsetDateTime lastUsed) {
    }

    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}._@-]{1,64}");
    private static final String TOKEN_PREFIX = "dgn_";
    /**
     * The token's user; its {@code last_used} is written when it is a minute old or more, not on every
     * request: a read under load then commits nothing here (issue 14: at most one commit per read, the
     * audit entry's), and {@code user list} still tells a token used today from one never used.
     */
    private static final String AUTHENTICATE = """
            with token as (
                select id, user_id, last_used from api_token where token_hash = :hash and revoked_at is null),
            used as (
                update api_token t set last_used = now() from token
                 where t.id = token.id and (token.last_used is null or token.last_used < now() - interval '1 minute'))
            select u.id, u.name, u.role from token join staff_user u on u.id = token.user_id where u.active""";

    /** Shortest password {@code user password} accepts. */
    public static final int MIN_PASSWORD_LENGTH = 10;
    /** Argon2id, 16 MiB, 2 passes (Spring Security's defaults): about 50 ms a sign-in on the 2-core machine. */
    private static final Argon2PasswordEncoder PASSWORDS = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    /** Compared against when the name is unknown, so that a wrong name costs as long as a wrong password. */
    private static final String NO_SUCH_USER = PASSWORDS.encode("no such user: the time of a sign-in names nobody");

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final SecureRandom random = new SecureRandom();

    public StaffDirectory(DataSource dataSource, AuditTrail audit) {
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
    }

    /** Creates a user and returns their first token (the only time it is ever shown). */
    public String addUser(String name, Role role, String by) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("A user name is 1-64 letters, digits, '.', '_', '@' or '-', not '" + name + "'");
        }
        return jdbi.inTransaction(h -> {
            long id = h.createQuery("""
                            insert into staff_user (name, role, created_by) values (:name, :role, :by)
                            on conflict (name) do nothing returning id""")
                    .bind("name", name).bind("role", role.label()).bind("by", by)
                    .mapTo(Long.class).findOne()
                    .orElseThrow(() -> new IllegalArgumentException("A user named " + name + " exists already"));
            String token = issue(h, id);
            audit.record(h, new AuditEntry(by, null, "user-add", null, List.of(), null, null, AuditEntry.OK,
                    "user " + name + " with role " + role));
            return token;
        });
    }

    /** A further token for an active user (the earlier ones stay valid until the user is disabled). */
    public String issueToken(String name, String by) {
        return jdbi.inTransaction(h -> {
            long id = activeUserId(h, name);
            String token = issue(h, id);
            audit.record(h, new AuditEntry(by, null, "token-issue", null, List.of(), null, null, AuditEntry.OK, "user " + name));
            return token;
        });
    }

    /** Disables a user and revokes every token and console session they hold, at once. */
    public void disable(String name, String by) {
        jdbi.useTransaction(h -> {
            long id = activeUserId(h, name);
            h.createUpdate("update staff_user set active = false, disabled_at = now(), disabled_by = :by where id = :id")
                    .bind("by", by).bind("id", id).execute();
            h.createUpdate("update api_token set revoked_at = now() where user_id = :id and revoked_at is null")
                    .bind("id", id).execute();
            h.createUpdate("update console_session set ended_at = now() where user_id = :id and ended_at is null")
                    .bind("id", id).execute();
            audit.record(h, new AuditEntry(by, null, "user-disable", null, List.of(), null, null, AuditEntry.OK, "user " + name));
        });
    }

    /** Sets (or replaces) the console password of an active user; the console sessions they hold end. */
    public void setPassword(String name, char[] password, String by) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("A password has at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        String hash = PASSWORDS.encode(java.nio.CharBuffer.wrap(password));
        jdbi.useTransaction(h -> {
            long id = activeUserId(h, name);
            h.createUpdate("update staff_user set password_hash = :hash, password_set_at = now() where id = :id")
                    .bind("hash", hash).bind("id", id).execute();
            h.createUpdate("update console_session set ended_at = now() where user_id = :id and ended_at is null")
                    .bind("id", id).execute();
            audit.record(h, new AuditEntry(by, null, "password-set", null, List.of(), null, null, AuditEntry.OK, "user " + name));
        });
    }

    /** The active user with this name and password, if any (a wrong name takes as long as a wrong password). */
    public Optional<Caller> checkPassword(String name, String password) {
        if (name == null || password == null || !NAME.matcher(name).matches()) {
            PASSWORDS.matches("x", NO_SUCH_USER);
            return Optional.empty();
        }
        record Stored(Caller caller, String hash) {
        }
        Optional<Stored> stored = jdbi.withHandle(h -> h.createQuery(
                        "select id, name, role, password_hash from staff_user where name = :name and active")
                .bind("name", name)
                .map((rs, ctx) -> new Stored(new Caller(rs.getLong("id"), rs.getString("name"), Role.of(rs.getString("role"))),
                        rs.getString("password_hash")))
                .findOne());
        String hash = stored.map(Stored::hash).orElse(null);
        boolean ok = PASSWORDS.matches(password, hash == null ? NO_SUCH_USER : hash);
        return ok && hash != null ? stored.map(Stored::caller) : Optional.empty();
    }

    public List<StaffMember> list() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select u.name, u.role, u.active, u.created_at, u.created_by,
                               count(t.id) filter (where t.revoked_at is null) as live, max(t.last_used) as last_used
                          from staff_user u left join api_token t on t.user_id = u.id
                         group by u.id order by u.name""")
                .map((rs, ctx) -> new StaffMember(rs.getString("name"), Role.of(rs.getString("role")),
                        rs.getBoolean("active"), rs.getObject("created_at", OffsetDateTime.class),
                        rs.getString("created_by"), rs.getInt("live"), rs.getObject("last_used", OffsetDateTime.class)))
                .list());
    }

    /** The active user holding this token, if any. */
    public Optional<Caller> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) return Optional.empty();
        return jdbi.withHandle(h -> h.createQuery(AUTHENTICATE).bind("hash", sha256(token))
                .map((rs, ctx) -> new Caller(rs.getLong("id"), rs.getString("name"), Role.of(rs.getString("role"))))
                .findOne());
    }

    private static long activeUserId(Handle h, String name) {
        record User(long id, boolean active) {
        }
        User user = h.createQuery("select id, active from staff_user where name = :name").bind("name", name)
                .map((rs, ctx) -> new User(rs.getLong("id"), rs.getBoolean("active")))
                .findOne().orElseThrow(() -> new IllegalArgumentException("No user named " + name));
        if (!user.active()) throw new IllegalArgumentException("The user " + name + " is disabled");
        return user.id();
    }

    private String issue(Handle h, long userId) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        h.createUpdate("insert into api_token (user_id, token_hash) values (:user, :hash)")
                .bind("user", userId).bind("hash", sha256(token)).execute();
        return token;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
