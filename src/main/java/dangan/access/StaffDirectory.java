package dangan.access;

import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.store.Transactions;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
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
    private static final String AUTHENTICATE = """
            with used as (
                update api_token set last_used = now()
                 where token_hash = ? and revoked_at is null
                returning user_id)
            select u.id, u.name, u.role from used join staff_user u on u.id = used.user_id where u.active""";

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final SecureRandom random = new SecureRandom();

    public StaffDirectory(DataSource dataSource, AuditTrail audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /** Creates a user and returns their first token (the only time it is ever shown). */
    public String addUser(String name, Role role, String by) throws SQLException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("A user name is 1-64 letters, digits, '.', '_', '@' or '-', not '" + name + "'");
        }
        return Transactions.inTransaction(dataSource, c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into staff_user (name, role, created_by) values (?, ?, ?) on conflict (name) do nothing returning id")) {
                ps.setString(1, name);
                ps.setString(2, role.label());
                ps.setString(3, by);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new IllegalArgumentException("A user named " + name + " exists already");
                    id = rs.getLong(1);
                }
            }
            String token = issue(c, id);
            audit.record(c, new AuditEntry(by, null, "user-add", null, List.of(), null, null, AuditEntry.OK,
                    "user " + name + " with role " + role));
            return token;
        });
    }

    /** A further token for an active user (the earlier ones stay valid until the user is disabled). */
    public String issueToken(String name, String by) throws SQLException {
        return Transactions.inTransaction(dataSource, c -> {
            long id = activeUserId(c, name);
            String token = issue(c, id);
            audit.record(c, new AuditEntry(by, null, "token-issue", null, List.of(), null, null, AuditEntry.OK, "user " + name));
            return token;
        });
    }

    /** Disables a user and revokes every token they hold, at once. */
    public void disable(String name, String by) throws SQLException {
        Transactions.inTransaction(dataSource, c -> {
            long id = activeUserId(c, name);
            try (PreparedStatement ps = c.prepareStatement(
                    "update staff_user set active = false, disabled_at = now(), disabled_by = ? where id = ?")) {
                ps.setString(1, by);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "update api_token set revoked_at = now() where user_id = ? and revoked_at is null")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            audit.record(c, new AuditEntry(by, null, "user-disable", null, List.of(), null, null, AuditEntry.OK, "user " + name));
        });
    }

    public List<StaffMember> list() throws SQLException {
        List<StaffMember> members = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     select u.name, u.role, u.active, u.created_at, u.created_by,
                            count(t.id) filter (where t.revoked_at is null) as live, max(t.last_used) as last_used
                       from staff_user u left join api_token t on t.user_id = u.id
                      group by u.id order by u.name""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                members.add(new StaffMember(rs.getString(1), Role.of(rs.getString(2)), rs.getBoolean(3),
                        rs.getObject(4, OffsetDateTime.class), rs.getString(5), rs.getInt(6), rs.getObject(7, OffsetDateTime.class)));
            }
        }
        return members;
    }

    /** The active user holding this token, if any. */
    public Optional<Caller> authenticate(String token) throws SQLException {
        if (token == null || !token.startsWith(TOKEN_PREFIX)) return Optional.empty();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(AUTHENTICATE)) {
            ps.setBytes(1, sha256(token));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Caller(rs.getLong(1), rs.getString(2), Role.of(rs.getString(3)))) : Optional.empty();
            }
        }
    }

    private long activeUserId(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select id, active from staff_user where name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalArgumentException("No user named " + name);
                if (!rs.getBoolean(2)) throw new IllegalArgumentException("The user " + name + " is disabled");
                return rs.getLong(1);
            }
        }
    }

    private String issue(Connection c, long userId) throws SQLException {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try (PreparedStatement ps = c.prepareStatement("insert into api_token (user_id, token_hash) values (?, ?)")) {
            ps.setLong(1, userId);
            ps.setBytes(2, sha256(token));
            ps.executeUpdate();
        }
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
