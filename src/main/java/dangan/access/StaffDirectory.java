package dangan.access;

import dangan.audit.AuditText;

import dangan.i18n.Localized;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.rules.RuleException;
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
import java.util.Set;
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
    /** A token as {@code user tokens NAME} shows it: never the token itself, which is not kept. */
    public record TokenInfo(long id, OffsetDateTime createdAt, OffsetDateTime expiresAt, OffsetDateTime lastUsed,
                            OffsetDateTime revokedAt, String revokedBy) {
        /** Whether the token still opens the API at {@code now}. */
        public boolean live(OffsetDateTime now) {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    /** A token just issued: shown once, with its number (to revoke it) and when it expires (null: never). */
    public record IssuedToken(long id, String token, OffsetDateTime expiresAt) {
    }

    /** How long a token lives unless {@code dangan.api.token-days} says otherwise. */
    public static final int DEFAULT_TOKEN_DAYS = 90;
    /** The role that manages staff: the {@code --by} of a changing {@code user} command. */
    public static final Role STAFF_ADMIN = Role.ADMIN;

    /**
     * The token's user; its {@code last_used} is written when it is a minute old or more, not on every
     * request: a read under load then commits nothing here (issue 14: at most one commit per read, the
     * audit entry's), and {@code user list} still tells a token used today from one never used.
     */
    private static final String AUTHENTICATE = """
            with token as (
                select id, user_id, last_used from api_token where token_hash = :hash and revoked_at is null
                   and (expires_at is null or expires_at > now())),
            used as (
                update api_token t set last_used = now() from token
                 where t.id = token.id and (token.last_used is null or token.last_used < now() - interval '1 minute'))
            select u.id, u.name, u.role from token join staff_user u on u.id = token.user_id where u.active""";

    /** Shortest password {@code user password} accepts. */
    public static final int MIN_PASSWORD_LENGTH = 10;
    /** Argon2id, 16 MiB, 2 passes (Spring Security's defaults): about 50 ms a sign-in on the 2-core machine. */
    private static final Argon2PasswordEncoder PASSWORDS = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    /** Compared against when the name is unknown, so that a wrong name costs as long as a wrong password. */
    private static final class NoSuchUser {
        /** Hashed on the first sign-in, not when the class loads: a command that signs nobody in does not pay the Argon2 run. */
        static final String HASH = PASSWORDS.encode("no such user: the time of a sign-in names nobody");
    }

    private final Jdbi jdbi;
    private final AuditTrail audit;
    private final int tokenDays;
    private final SecureRandom random = new SecureRandom();

    public StaffDirectory(DataSource dataSource, AuditTrail audit) {
        this(dataSource, audit, DEFAULT_TOKEN_DAYS);
    }

    /** @param tokenDays how many days a token issued here lives ({@code dangan.api.token-days}); 0: forever */
    public StaffDirectory(DataSource dataSource, AuditTrail audit, int tokenDays) {
        if (tokenDays < 0) {
            throw dangan.i18n.ConfigurationException.of("config.token-days", "value", String.valueOf(tokenDays));
        }
        this.jdbi = Db.jdbi(dataSource);
        this.audit = audit;
        this.tokenDays = tokenDays;
    }

    /** The directory with the configured token lifetime ({@code dangan.api.token-days}, default 90). */
    public static StaffDirectory configured(dangan.config.Settings settings, DataSource dataSource, AuditTrail audit) {
        return new StaffDirectory(dataSource, audit, settings.getInt("dangan.api.token-days", DEFAULT_TOKEN_DAYS));
    }

    /** Creates a user and returns their first token (the only time it is ever shown). */
    public String addUser(String name, Role role, String by) {
        return addUserWithToken(name, role, by).token();
    }

    /** Creates a user and returns their first token, its number and expiry. */
    public IssuedToken addUserWithToken(String name, Role role, String by) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw RuleException.invalid("staff.name-invalid", "name", String.valueOf(name));
        }
        return jdbi.inTransaction(h -> {
            long id = h.createQuery("""
                            insert into staff_user (name, role, created_by) values (:name, :role, :by)
                            on conflict (name) do nothing returning id""")
                    .bind("name", name).bind("role", role.label()).bind("by", by)
                    .mapTo(Long.class).findOne()
                    .orElseThrow(() -> RuleException.conflict("staff.exists", "name", name));
            IssuedToken token = issue(h, id);
            audit.record(h, new AuditEntry(by, null, "user-add", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.add", "user", name, "role", AuditText.role(role.label()))));
            return token;
        });
    }

    /** A further token for an active user (the earlier ones stay valid until they expire or are revoked). */
    public String issueToken(String name, String by) {
        return issueToken(name, false, by).token();
    }

    /**
     * A further token for an active user; with {@code rotate} every other live token of theirs is
     * revoked in the same transaction (audited {@code token-rotate} rather than {@code token-issue}).
     */
    public IssuedToken issueToken(String name, boolean rotate, String by) {
        return jdbi.inTransaction(h -> {
            long id = activeUserId(h, name);
            IssuedToken token = issue(h, id);
            int revoked = 0;
            if (rotate) {
                revoked = h.createUpdate("""
                                update api_token set revoked_at = now(), revoked_by = :by
                                 where user_id = :user and id <> :token and revoked_at is null""")
                        .bind("by", by).bind("user", id).bind("token", token.id()).execute();
            }
            audit.record(h, new AuditEntry(by, null, rotate ? "token-rotate" : "token-issue", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.token", "user", name, "token", token.id(), "rotate", rotate ? "yes" : "no", "revoked", revoked)));
            return token;
        });
    }

    /** Revokes one token of a user, by its number ({@code user tokens NAME} lists them). */
    public void revokeToken(String name, long tokenId, String by) {
        jdbi.useTransaction(h -> {
            long user = userId(h, name);
            int revoked = h.createUpdate("""
                            update api_token set revoked_at = now(), revoked_by = :by
                             where id = :token and user_id = :user and revoked_at is null""")
                    .bind("by", by).bind("token", tokenId).bind("user", user).execute();
            if (revoked == 0) {
                throw RuleException.notFound("staff.no-token", "name", name, "id", String.valueOf(tokenId));
            }
            audit.record(h, new AuditEntry(by, null, "token-revoke", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.token-revoke", "user", name, "token", tokenId)));
        });
    }

    /** Every token a user was given, newest first: number, issued, expires, last used, revoked. */
    public List<TokenInfo> tokens(String name) {
        return jdbi.withHandle(h -> {
            long user = userId(h, name);
            return h.createQuery("""
                            select id, created_at, expires_at, last_used, revoked_at, revoked_by
                              from api_token where user_id = :user order by id desc""")
                    .bind("user", user)
                    .map((rs, ctx) -> new TokenInfo(rs.getLong("id"), rs.getObject("created_at", OffsetDateTime.class),
                            rs.getObject("expires_at", OffsetDateTime.class), rs.getObject("last_used", OffsetDateTime.class),
                            rs.getObject("revoked_at", OffsetDateTime.class), rs.getString("revoked_by")))
                    .list();
        });
    }

    /** Enables a disabled user again; their old tokens stay revoked (issue a new one with {@code user token}). */
    public void enable(String name, String by) {
        jdbi.useTransaction(h -> {
            int enabled = h.createUpdate("""
                            update staff_user set active = true, disabled_at = null, disabled_by = null
                             where name = :name and not active""")
                    .bind("name", name).execute();
            if (enabled == 0) {
                userId(h, name);
                throw RuleException.conflict("staff.active-already", "name", name);
            }
            audit.record(h, new AuditEntry(by, null, "user-enable", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.enable", "user", name)));
        });
    }

    /** Gives a user another role, from their next request on (console sessions included). */
    public void changeRole(String name, Role role, String by) {
        jdbi.useTransaction(h -> {
            String before = h.createQuery("select role from staff_user where name = :name for update").bind("name", name)
                    .mapTo(String.class).findOne().orElseThrow(() -> RuleException.notFound("staff.no-user", "name", name));
            if (before.equals(role.label())) throw RuleException.conflict("staff.role-already", "name", name, "role", role.label());
            h.createUpdate("update staff_user set role = :role where name = :name").bind("role", role.label()).bind("name", name).execute();
            audit.record(h, new AuditEntry(by, null, "role-change", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.role", "user", name, "before", AuditText.role(before), "after", AuditText.role(role.label()))));
        });
    }

    /**
     * Checks who a changing command acts for: an active user with the role {@code role} (any role when
     * null); returns their name. Refused, naming why, when there is no such user.
     */
    public String actor(String name, Role role) {
        actor(name, role == null ? java.util.EnumSet.allOf(Role.class) : java.util.EnumSet.of(role));
        return name;
    }

    /**
     * Checks who a command acts for ({@code --by NAME}): an existing, active member of staff holding one
     * of {@code roles}; returns their role, for the audit entry. Refused, naming why, otherwise.
     */
    public Role actor(String name, Set<Role> roles) {
        record Actor(boolean active, String role) {
        }
        Actor actor = jdbi.withHandle(h -> h.createQuery("select active, role from staff_user where name = :name")
                .bind("name", name).map((rs, ctx) -> new Actor(rs.getBoolean("active"), rs.getString("role"))).findOne())
                .orElseThrow(() -> RuleException.notFound("staff.by.unknown", "name", name));
        if (!actor.active()) throw RuleException.notPermitted("staff.by.disabled", "name", name);
        Role role = Role.of(actor.role());
        if (!roles.contains(role)) {
            throw RuleException.notPermitted("staff.by.role", "name", name, "role", role.label(),
                    "roles", roles.stream().map(Role::label).collect(java.util.stream.Collectors.joining(", ")));
        }
        return role;
    }

    /** Whether some active user has this role (the first administrator is added without --by). */
    public boolean anyActive(Role role) {
        return jdbi.withHandle(h -> h.createQuery("select exists (select 1 from staff_user where active and role = :role)")
                .bind("role", role.label()).mapTo(Boolean.class).one());
    }

    /** Disables a user and revokes every token and console session they hold, at once. */
    public void disable(String name, String by) {
        jdbi.useTransaction(h -> {
            long id = activeUserId(h, name);
            h.createUpdate("update staff_user set active = false, disabled_at = now(), disabled_by = :by where id = :id")
                    .bind("by", by).bind("id", id).execute();
            h.createUpdate("update api_token set revoked_at = now(), revoked_by = :by where user_id = :id and revoked_at is null")
                    .bind("by", by).bind("id", id).execute();
            h.createUpdate("update console_session set ended_at = now() where user_id = :id and ended_at is null")
                    .bind("id", id).execute();
            audit.record(h, new AuditEntry(by, null, "user-disable", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.disable", "user", name)));
        });
    }

    /** Sets (or replaces) the console password of an active user; the console sessions they hold end. */
    public void setPassword(String name, char[] password, String by) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw RuleException.invalid("staff.password-short", "min", MIN_PASSWORD_LENGTH);
        }
        String hash = PASSWORDS.encode(java.nio.CharBuffer.wrap(password));
        jdbi.useTransaction(h -> {
            long id = activeUserId(h, name);
            h.createUpdate("update staff_user set password_hash = :hash, password_set_at = now() where id = :id")
                    .bind("hash", hash).bind("id", id).execute();
            h.createUpdate("update console_session set ended_at = now() where user_id = :id and ended_at is null")
                    .bind("id", id).execute();
            audit.record(h, new AuditEntry(by, null, "password-set", null, List.of(), null, null, AuditEntry.OK,
                    Localized.of("audit.user.password", "user", name)));
        });
    }

    /** The active user with this name and password, if any (a wrong name takes as long as a wrong password). */
    public Optional<Caller> checkPassword(String name, String password) {
        if (name == null || password == null || !NAME.matcher(name).matches()) {
            PASSWORDS.matches("x", NoSuchUser.HASH);
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
        boolean ok = PASSWORDS.matches(password, hash == null ? NoSuchUser.HASH : hash);
        return ok && hash != null ? stored.map(Stored::caller) : Optional.empty();
    }

    public List<StaffMember> list() {
        return jdbi.withHandle(h -> h.createQuery("""
                        select u.name, u.role, u.active, u.created_at, u.created_by,
                               count(t.id) filter (where t.revoked_at is null and (t.expires_at is null or t.expires_at > now())) as live,
                               max(t.last_used) as last_used
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
                .findOne().orElseThrow(() -> RuleException.notFound("staff.no-user", "name", name));
        if (!user.active()) throw RuleException.conflict("staff.disabled", "name", name);
        return user.id();
    }

    private IssuedToken issue(Handle h, long userId) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        record Row(long id, OffsetDateTime expiresAt) {
        }
        Row row = h.createQuery("""
                        insert into api_token (user_id, token_hash, expires_at)
                        values (:user, :hash, case when :days > 0 then now() + make_interval(days => :days) end)
                        returning id, expires_at""")
                .bind("user", userId).bind("hash", sha256(token)).bind("days", tokenDays)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getObject("expires_at", OffsetDateTime.class))).one();
        return new IssuedToken(row.id(), token, row.expiresAt());
    }

    private static long userId(Handle h, String name) {
        return h.createQuery("select id from staff_user where name = :name").bind("name", name).mapTo(Long.class).findOne()
                .orElseThrow(() -> RuleException.notFound("staff.no-user", "name", name));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
