package dangan.surveys;

import dangan.access.PerMinuteLimit;
import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.access.Transport;
import dangan.config.Settings;
import dangan.i18n.Localized;
import dangan.notify.WebhookSignature;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may {@code POST /api/surveys} (issue 10: safe by default). By default a credential is required, one of:
 * <ul>
 *   <li>a staff token of the role {@code survey-source} ({@code Authorization: Bearer <token>}; source {@code user:<name>});</li>
 *   <li>a signature, the way survey platforms sign webhooks: {@code X-Dangan-Source: NAME},
 *       {@code X-Dangan-Timestamp: <unix seconds>} within {@code dangan.surveys.signature-window-seconds} of now, and
 *       {@code X-Dangan-Signature: sha256=<hex HMAC-SHA-256(secret, timestamp + "." + body)>} under the source's secret
 *       {@code dangan.surveys.source.NAME.secret} (source {@code NAME});</li>
 *   <li>the shared token {@code dangan.surveys.token}, when one is set (source {@code token}).</li>
 * </ul>
 * Only {@code dangan.surveys.open=true} takes POSTs without one (source: the remote address). Every source
 * is limited to {@code dangan.surveys.requests-per-minute} POSTs a minute, then 429 for the rest of it.
 * A signature is taken once: the same signature of a source again inside the window is a replay, refused
 * with 401 by every instance on the same database ({@link SeenSignatures}).
 */
final class SurveyCredentials {

    private static final Logger LOG = LoggerFactory.getLogger(SurveyCredentials.class);
    static final String SOURCE_HEADER = "X-Dangan-Source";
    static final String TIMESTAMP_HEADER = "X-Dangan-Timestamp";

    /**
     * Who sent a POST, or why it is refused ({@code source == null}: answer {@code status} with {@code error},
     * said in the request's language).
     */
    record Verdict(String source, int status, Localized error) {
        static Verdict of(String source) {
            return new Verdict(source, 0, null);
        }

        static Verdict refused(int status, String key, Object... namesAndValues) {
            return new Verdict(null, status, Localized.of(key, namesAndValues));
        }
    }

    private final StaffDirectory staff;
    private final byte[] sharedToken;
    private final Map<String, String> secrets;
    private final long windowSeconds;
    private final boolean open;
    private final PerMinuteLimit limit;
    private final Transport transport;
    private final SeenSignatures seen;
    private final dangan.i18n.Messages messages;

    SurveyCredentials(StaffDirectory staff, String sharedToken, Map<String, String> secrets, long windowSeconds, boolean open,
                      int perMinute, Transport transport, SeenSignatures seen, dangan.i18n.Messages messages) {
        this.messages = messages;
        this.transport = transport;
        this.seen = seen;
        this.staff = staff;
        this.sharedToken = sharedToken == null ? null : sharedToken.getBytes(StandardCharsets.UTF_8);
        this.secrets = Map.copyOf(secrets);
        this.windowSeconds = windowSeconds;
        this.open = open;
        this.limit = new PerMinuteLimit(perMinute);
    }

    static SurveyCredentials from(Settings settings, StaffDirectory staff, DataSource dataSource) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String name : settings.get("dangan.surveys.sources", "").split("\\s*,\\s*")) {
            if (name.isBlank()) continue;
            String secret = settings.get("dangan.surveys.source." + name.strip() + ".secret");
            if (secret == null || secret.length() < 16) {
                throw dangan.i18n.ConfigurationException.of("config.surveys.short-secret", "key", "dangan.surveys.source." + name.strip() + ".secret",
                        "variable", dangan.config.Settings.environmentName("dangan.surveys.source." + name.strip() + ".secret"),
                        "source", name.strip());
            }
            secrets.put(name.strip(), secret);
        }
        SurveyCredentials credentials = new SurveyCredentials(staff, settings.get("dangan.surveys.token"), secrets,
                settings.getInt("dangan.surveys.signature-window-seconds", 300), settings.getBoolean("dangan.surveys.open", false),
                settings.getInt("dangan.surveys.requests-per-minute", 60), Transport.from(settings),
                new SeenSignatures(dataSource), dangan.i18n.Messages.of(settings));
        if (credentials.open) {
            LOG.warn(credentials.messages.text("log.surveys.open"));
        }
        return credentials;
    }

    /** Whether POSTs are taken without a credential ({@code dangan.surveys.open}). */
    boolean open() {
        return open;
    }

    /** The source of this POST, checked and counted; or the refusal (401, 429). */
    Verdict check(Exchange exchange, byte[] body) {
        Verdict who = identify(exchange, body);
        if (who.source() == null) return who;
        return switch (limit.failed(who.source(), System.currentTimeMillis())) {
            case AUDIT -> who;
            case LIMIT_REACHED -> {
                LOG.warn(messages.text("log.surveys.too-many", "limit", limit.perMinute(), "source", String.valueOf(who.source())));
                yield tooMany();
            }
            case REFUSE -> tooMany();
        };
    }

    private Verdict tooMany() {
        return Verdict.refused(429, "surveys.credential.too-many", "limit", limit.perMinute());
    }

    private Verdict identify(Exchange exchange, byte[] body) {
        String authorization = exchange.getMessage().getHeader("Authorization", String.class);
        String sourceName = exchange.getMessage().getHeader(SOURCE_HEADER, String.class);
        if (authorization != null && transport.refusesCredentials(exchange)) {
            return Verdict.refused(401, "surveys.credential.plain-http");
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            if (sharedToken != null && MessageDigest.isEqual(sharedToken, token.getBytes(StandardCharsets.UTF_8))) {
                return Verdict.of("token");
            }
            return staff.authenticate(token).filter(c -> c.role() == Role.SURVEY_SOURCE)
                    .map(c -> Verdict.of("user:" + c.name()))
                    .orElse(Verdict.refused(401, "surveys.credential.not-a-source"));
        }
        if (sourceName != null) return signed(exchange, sourceName.strip(), body);
        if (open) return Verdict.of("open:" + dangan.access.Api.remoteHost(exchange));
        return Verdict.refused(401, "surveys.credential.missing");
    }

    private Verdict signed(Exchange exchange, String source, byte[] body) {
        String secret = secrets.get(source);
        String timestamp = exchange.getMessage().getHeader(TIMESTAMP_HEADER, String.class);
        String signature = exchange.getMessage().getHeader(WebhookSignature.HEADER, String.class);
        // the same answer for an unknown source and a wrong signature: a caller learns no source names
        Verdict wrong = Verdict.refused(401, "surveys.credential.bad-signature");
        if (secret == null || signature == null || timestamp == null) return wrong;
        long at;
        try {
            at = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return Verdict.refused(401, "surveys.credential.bad-timestamp");
        }
        if (Math.abs(System.currentTimeMillis() / 1000 - at) > windowSeconds) {
            return Verdict.refused(401, "surveys.credential.stale", "window", windowSeconds);
        }
        byte[] prefix = (timestamp.strip() + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        String expected = WebhookSignature.of(secret, signed);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.strip().getBytes(StandardCharsets.US_ASCII))) {
            return wrong;
        }
        // a signature carries its own timestamp: once the window is over it is refused as stale, so it is kept that long
        if (!seen.firstUse(source, signature.strip(), (at + windowSeconds) * 1000)) {
            LOG.warn(messages.text("log.surveys.replayed", "source", source));
            return Verdict.refused(401, "surveys.signature.replayed", "window", windowSeconds);
        }
        return Verdict.of(source);
    }

    /**
     * The signatures each source used inside the window, so a captured signed POST cannot be sent again — by
     * any instance on the same database: table {@code survey_signature} (V38) keeps the SHA-256 of each taken
     * signature until its timestamp leaves the window; the first insert of a (source, digest) wins, a second one,
     * here or on another instance, is a replay. Rows whose window is over are purged as new ones are taken.
     */
    static final class SeenSignatures {
        private final Jdbi jdbi;

        SeenSignatures(DataSource dataSource) {
            this.jdbi = Db.jdbi(dataSource);
        }

        /** Whether this is the first use of the signature (by any instance); records it until {@code until} (epoch milliseconds). */
        boolean firstUse(String source, String signature, long until) {
            byte[] digest = sha256(signature);
            return jdbi.inTransaction(h -> {
                h.createUpdate("delete from survey_signature where expires_at < now()").execute();
                // a row of the same signature whose window is over is taken over (its timestamp is stale by then anyway)
                return h.createUpdate("""
                                insert into survey_signature (source, digest, expires_at) values (:source, :digest, :until)
                                on conflict (source, digest) do update set expires_at = excluded.expires_at
                                where survey_signature.expires_at < now()""")
                        .bind("source", source).bind("digest", digest)
                        .bind("until", java.time.OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(until), java.time.ZoneOffset.UTC))
                        .execute() == 1;
            });
        }

        private static byte[] sha256(String signature) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(signature.getBytes(StandardCharsets.UTF_8));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every Java has SHA-256
            }
        }
    }
}
