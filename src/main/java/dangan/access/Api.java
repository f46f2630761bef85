package dangan.access;

import dangan.i18n.Localized;

import dangan.logs.LogFormat;
import org.slf4j.MDC;
import dangan.metrics.Metrics;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.normalise.Masking;
import dangan.rules.RuleException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The bean {@code api} the REST routes share: who is calling ({@code authenticate}), the JSON in
 * ({@code readJson}) and out ({@code respond}), and the answer to a request that failed ({@code problem}).
 */
public final class Api {

    private static final Logger LOG = LoggerFactory.getLogger(Api.class);
    /** How deep a request's JSON may nest, how long a number may be, how long a text (issue 10: 400s, never 500s). */
    public static final int MAX_JSON_DEPTH = 32;
    public static final int MAX_NUMBER_DIGITS = 40;
    public static final int MAX_JSON_TEXT = 100_000;
    public static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH)
                    .maxNumberLength(MAX_NUMBER_DIGITS).maxStringLength(MAX_JSON_TEXT).build()).build())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private static final String REMOTE_ADDRESS = "CamelVertxPlatformHttpRemoteAddress";

    /** The header in which the console sends its session's CSRF token with every state-changing call. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String SESSION_COOKIE = "DanganSessionCookie";
    private static final String SESSION_CSRF = "DanganSessionCsrf";
    /** The cookie a sign-in or sign-out sets: only Dangan sets it, never a request header echoed back. */
    private static final String SET_COOKIE = "DanganSetCookie";

    private final StaffDirectory staff;
    private final AuditTrail audit;
    private final PerMinuteLimit failures;
    private final PerMinuteLimit denials;
    private final Transport transport;
    private final Language language;
    private final ConsoleSessions sessions;
    private final boolean secureCookie;
    private volatile Metrics metrics = Metrics.NONE;

    /**
     * @param failuresPerMinute failed authentications from one address audited per minute; more are refused with 429
     * @param language          the service's language ({@code dangan.locale}): of error answers to requests
     *                          without an {@code Accept-Language} Dangan speaks, of the log and the audit detail
     * @param sessions     the console's sessions: a request without a token may carry the session cookie instead
     * @param secureCookie the session cookie is marked {@code Secure} (served behind HTTPS)
     * @param denialsPerMinute  calls answered 403 to one member of staff (a valid token or session) audited per
     *                          minute; past that the caller gets 429 for the rest of the minute, audited once
     * @param transport         HTTPS or plain HTTP: over plain HTTP, credentials only from this machine unless allowed
     */
    public Api(StaffDirectory staff, AuditTrail audit, int failuresPerMinute, int denialsPerMinute, Language language,
               ConsoleSessions sessions, boolean secureCookie, Transport transport) {
        this.transport = transport;
        this.staff = staff;
        this.audit = audit;
        this.failures = new PerMinuteLimit(failuresPerMinute);
        this.denials = new PerMinuteLimit(denialsPerMinute);
        this.language = language;
        this.sessions = sessions;
        this.secureCookie = secureCookie;
    }

    /** Where failed authentications are counted (the service's registry; none unless set). */
    public void metrics(Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * First step of every API route: the caller behind {@code Authorization: Bearer <token>} or, for
     * the console, behind its session cookie — then every state-changing call (not GET/HEAD) must also
     * carry the session's CSRF token in {@code X-CSRF-Token}. 401 without either, 403 without the CSRF token.
     */
    public void authenticate(Exchange exchange) throws SQLException {
        MDC.put(LogFormat.REQUEST, requestId(exchange));
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        String cookie = header == null && sessions != null ? cookie(exchange, ConsoleSessions.COOKIE) : null;
        if ((header != null || cookie != null) && transport.refusesCredentials(exchange)) {
            throw failed(exchange, "api.auth.plain-http"); // the token crossed the network in clear: not taken
        }
        if (cookie != null) {
            authenticateSession(exchange, cookie);
            return;
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw failed(exchange, "api.auth.missing");
        }
        Caller caller = staff.authenticate(header.substring(7).strip()).orElseThrow(
                () -> failed(exchange, "api.auth.unknown"));
        refuseIfDeniedTooOften(caller);
        exchange.setProperty(Caller.PROPERTY, caller);
        // the caller's credentials stop here: nothing downstream (logs, errors) sees them
        exchange.getMessage().removeHeader("Authorization");
        Request.of(exchange); // every query parameter checked (a NUL is a 400 naming it), also those a bean reads as a header
    }

    /** The {@code api-call} route's {@code roles} parameter, as an exchange property (who may call it). */
    public static final String ROLES = "DanganRoles";
    /** The {@code api-call} route's optional {@code refusal} parameter: what a 403 says the caller's role does not do. */
    public static final String REFUSAL = "DanganRefusal";

    private final Map<String, Set<Role>> allowed = new ConcurrentHashMap<>();

    /**
     * Second step of every {@code api-call} route (routes/api.yaml): 403 unless the caller has one of
     * the roles the route names. The denial is audited like every 403, with the archive and the
     * categories the request asked for when its path and query name them.
     */
    public void allow(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        String route = exchange.getFromRouteId();
        Set<Role> roles = allowed.computeIfAbsent(exchange.getProperty(ROLES, "", String.class), text -> Role.setOf(text, route));
        if (roles.contains(caller.role())) return;
        String refusal = exchange.getProperty(REFUSAL, String.class);
        String needs = roles.stream().map(Role::label).collect(Collectors.joining(" or "));
        // the route's refusal is a message key of area api (the role is its argument), else the default;
        // a route naming no such key is a mistake of the route file, refused at its first call, not a 500
        String key = refusal == null || refusal.isBlank() ? "api.role.denied" : refusal.strip();
        if (!Messages.of(language).has(key)) {
            throw dangan.i18n.ConfigurationException.of("config.route.refusal", "route", route, "key", key);
        }
        throw ApiProblem.forbiddenFor(askedArchive(exchange), askedCategories(exchange), key,
                "role", caller.role().label(), "needs", needs);
    }

    /** The {@code {archiveNo}} of the path, when it is one (a malformed one is the bean's 400 to give). */
    private static String askedArchive(Exchange exchange) {
        try {
            return exchange.getMessage().getHeader("archiveNo") == null ? null : Request.archiveNo(exchange);
        } catch (ApiProblem notAnArchiveNumber) {
            return null;
        }
    }

    /** The {@code ?categories=} of the query, when they are categories. */
    private static List<String> askedCategories(Exchange exchange) {
        try {
            List<Category> asked = Request.of(exchange).categories();
            return asked == null ? List.of() : AccessRequests.labels(asked);
        } catch (ApiProblem notCategories) {
            return List.of();
        }
    }

    /** The {@code api-me} route: who is calling, as {@code api.authenticate} found them. */
    public Caller me(Exchange exchange) {
        return Caller.of(exchange);
    }

    private void authenticateSession(Exchange exchange, String cookie) throws SQLException {
        ConsoleSessions.Live live = sessions.find(cookie).orElseThrow(
                () -> failed(exchange, "api.auth.session-ended"));
        Message message = exchange.getMessage();
        refuseIfDeniedTooOften(live.caller());
        exchange.setProperty(Caller.PROPERTY, live.caller());
        exchange.setProperty(SESSION_COOKIE, cookie);
        exchange.setProperty(SESSION_CSRF, live.csrf());
        String method = method(exchange);
        if (!method.equals("GET") && !method.equals("HEAD")) {
            String sent = message.getHeader(CSRF_HEADER, String.class);
            if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8), live.csrf().getBytes(StandardCharsets.UTF_8))) {
                throw ApiProblem.localized(403, "api.auth.csrf");
            }
        }
        message.removeHeader("Cookie");
        message.removeHeader(CSRF_HEADER);
        Request.of(exchange); // every query parameter checked, as for a token
    }

    /**
     * {@code POST /api/session} {"name", "password"}: signs a member of staff in to the console. A wrong
     * name or password is a failed authentication like a forged token (401, audited, limited per address
     * and minute, then 429 — and then no password is even checked); success opens a session, sets its
     * HttpOnly, SameSite=Strict cookie and answers the caller and the CSRF token the page must send back.
     */
    public void signIn(Exchange exchange) throws SQLException {
        if (sessions == null) throw ApiProblem.localized(404, "api.session.off");
        String address = remoteHost(exchange);
        if (failures.refused(address, System.currentTimeMillis())) throw tooMany();
        if (transport.refusesCredentials(exchange)) throw failed(exchange, "api.auth.plain-http");
        JsonNode body = readJson(exchange);
        String name = body.path("name").asText(null);
        String password = body.path("password").asText(null);
        Caller caller = staff.checkPassword(name, password).orElseThrow(
                () -> failed(exchange, "api.auth.wrong-password"));
        ConsoleSessions.Opened opened = sessions.open(caller, address);
        exchange.setProperty(Caller.PROPERTY, caller);
        exchange.setProperty(SET_COOKIE, sessionCookie(opened.cookie(), sessions.absolute().toSeconds()));
        exchange.getMessage().setBody(Map.of("name", caller.name(), "role", caller.role(), "csrf", opened.csrf()));
    }

    /** {@code GET /api/session}: who is signed in, and the CSRF token of their session (null for a token). */
    public void session(Exchange exchange) {
        Caller caller = Caller.of(exchange);
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("name", caller.name());
        body.put("role", caller.role());
        body.put("csrf", exchange.getProperty(SESSION_CSRF, String.class));
        exchange.getMessage().setBody(body);
    }

    /** {@code DELETE /api/session}: ends the console session on the server and clears the cookie. */
    public void signOut(Exchange exchange) throws SQLException {
        Caller caller = Caller.of(exchange);
        String cookie = exchange.getProperty(SESSION_COOKIE, String.class);
        if (cookie == null) throw ApiProblem.localized(400, "api.session.token");
        sessions.end(cookie, caller);
        exchange.setProperty(SET_COOKIE, sessionCookie("", 0));
        exchange.getMessage().setBody(Map.of("signed_out", true));
    }

    /** The session cookie's {@code Set-Cookie} value: HttpOnly, SameSite=Strict, Secure behind HTTPS. */
    private String sessionCookie(String value, long maxAgeSeconds) {
        return ConsoleSessions.COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + maxAgeSeconds
                + (secureCookie ? "; Secure" : "");
    }

    /** The value of one cookie of the request, or null. */
    private static String cookie(Exchange exchange, String name) {
        String header = exchange.getMessage().getHeader("Cookie", String.class);
        if (header == null) return null;
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(name)) return part.substring(eq + 1).strip();
        }
        return null;
    }

    /** A failed authentication: 401 (audited as denied) up to the limit per address and minute, then 429. */
    private ApiProblem failed(Exchange exchange, String why) {
        if (!why.equals("api.auth.missing")) metrics.failedLogin(why.endsWith("password") ? "password" : why.endsWith("session-ended") ? "session" : "token");
        String address = remoteHost(exchange);
        return switch (failures.failed(address, System.currentTimeMillis())) {
            case AUDIT -> ApiProblem.localized(401, why);
            case LIMIT_REACHED -> {
                LOG.warn(Messages.of(language).text("log.api.too-many-failures", "count", failures.perMinute() + 1, "address", address));
                audit.record(new AuditEntry("anonymous", null, "denied", null, List.of(), null, null, AuditEntry.DENIED,
                        Localized.of("audit.denied.authentications", "limit", failures.perMinute(), "address", address)));
                yield tooMany();
            }
            case REFUSE -> tooMany();
        };
    }

    /** A member of staff past the limit of denied calls in the running minute: 429, checked before anything else. */
    private void refuseIfDeniedTooOften(Caller caller) {
        if (denials.refused(caller.name(), System.currentTimeMillis())) throw ApiProblem.localized(429, "api.auth.too-many-denied");
    }

    private static ApiProblem tooMany() {
        return ApiProblem.localized(429, "api.auth.too-many");
    }

    /** The caller's address as the HTTP server saw it (no port), or {@code unknown}. */
    public static String remoteHost(Exchange exchange) {
        Object address = exchange.getMessage().getHeader(REMOTE_ADDRESS);
        if (address == null) return "unknown";
        String text = address.toString();
        int port = text.lastIndexOf(':');
        return port > 0 ? text.substring(0, port) : text;
    }

    /** As {@link #readJson}, where the body may be left out: an empty body reads as {@code {}}. */
    public static JsonNode readOptionalJson(Exchange exchange) {
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().setBody(raw);
        return raw == null || raw.length == 0 ? JSON.createObjectNode() : readJson(exchange);
    }

    /** A text field of a request body, stripped; "" when it is missing, not text, or shows nothing (U+3000, U+200B). */
    public static String optionalText(JsonNode body, String field) {
        if (!body.path(field).isTextual()) return "";
        String text = body.get(field).asText();
        // blank-looking text (ideographic spaces, zero-width characters) is blank: Text.clean finds nothing visible
        return dangan.normalise.Text.clean(text) == null ? "" : text.strip();
    }

    /**
     * The request body as a JSON object: 400 naming line and column when it is not, naming the field
     * that holds a NUL, saying the limits when nested too deep or a number or text is too long. Bodies above
     * {@code camel.server.maxBodySize} never get here: the HTTP server answers 413 itself.
     */
    public static JsonNode readJson(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) throw ApiProblem.localized(400, "api.body.missing");
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) throw ApiProblem.localized(400, "api.body.not-object");
            String nul = nulAt(node, "");
            if (nul != null) throw ApiProblem.localized(400, "api.body.nul", "field", nul);
            return node;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // nested too deep, a number or a text too long: where, never the text
            throw ApiProblem.localized(400, "api.body.limits", "depth", MAX_JSON_DEPTH, "digits", MAX_NUMBER_DIGITS,
                    "chars", MAX_JSON_TEXT);
        } catch (JsonProcessingException e) {
            // where, never the parser's detail: it quotes the text it choked on (a password, an ID number), and
            // a 400 goes to the service log
            throw ApiProblem.localized(400, "api.body.malformed", "line", e.getLocation().getLineNr(),
                    "column", e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw ApiProblem.localized(400, "api.body.unreadable");
        }
    }

    /** The JSON pointer of the first text or field name holding a NUL character (U+0000), or null. */
    private static String nulAt(JsonNode node, String pointer) {
        if (node.isTextual()) return node.textValue().indexOf('\u0000') >= 0 ? (pointer.isEmpty() ? "/" : pointer) : null;
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nulAt(node.get(i), pointer + "/" + i);
                if (found != null) return found;
            }
        } else if (node.isObject()) {
            for (java.util.Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey().replace("\u0000", "\\0");
                if (field.getKey().indexOf('\u0000') >= 0) return pointer + "/" + name;
                String found = nulAt(field.getValue(), pointer + "/" + name);
                if (found != null) return found;
            }
        }
        return null;
    }

    /** A file to download (a reject report): {@code respond} sends it as it is, as an attachment named {@code name}. */
    public record Download(byte[] content, String type, String name) {
    }

    /** Last step of every API route: the body (any object Jackson can write) as JSON, or a {@link Download} as it is. */
    public void respond(Exchange exchange) throws JsonProcessingException {
        MDC.remove(LogFormat.REQUEST);
        Object body = exchange.getMessage().getBody();
        onlyOwnHeaders(exchange.getMessage());
        String setCookie = exchange.getProperty(SET_COOKIE, String.class);
        if (setCookie != null) exchange.getMessage().setHeader("Set-Cookie", setCookie);
        if (body instanceof Download file) {
            exchange.getMessage().setBody(file.content());
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, file.type());
            exchange.getMessage().setHeader("Content-Disposition", "attachment; filename*=UTF-8''"
                    + java.net.URLEncoder.encode(file.name(), StandardCharsets.UTF_8).replace("+", "%20"));
        } else {
            exchange.getMessage().setBody(JSON.writeValueAsBytes(body == null ? Map.of() : body));
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        }
        if (exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE) == null) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        }
    }

    /** The answer to a failed request: its status and reason; 401/403 are logged and audited as denied. */
    public void problem(Exchange exchange) throws JsonProcessingException {
        MDC.put(LogFormat.REQUEST, requestId(exchange)); // its log line names the request …
        try {
            answerProblem(exchange);
        } finally {
            MDC.remove(LogFormat.REQUEST); // … and the thread forgets it
        }
    }

    /** The request's id in the log (the {@code request} field): Camel's exchange id, the same for every line of one request. */
    private static String requestId(Exchange exchange) {
        return exchange.getExchangeId();
    }

    private void answerProblem(Exchange exchange) throws JsonProcessingException {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause instanceof RuleException refusal) cause = ApiProblem.of(refusal);
        // the answer in the language the request asks for (Accept-Language); the log and the audit in the service's
        Messages answer = Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class), language);
        Messages service = Messages.of(language);
        int status;
        String message;
        if (cause instanceof ApiProblem p) {
            status = p.status();
            message = maskIds(p.message(answer));
            String logged = maskIds(p.message(service));
            if (status == 403 && exchange.getProperty(Caller.PROPERTY) != null) {
                status = deniedStaff(exchange, p, logged);
                if (status == 429) message = answer.text("api.auth.too-many-denied");
            } else if (status == 401 || status == 403) denied(exchange, p, logged);
            else LOG.info(service.text("log.api.answered", "method", method(exchange), "path", path(exchange), "status", String.valueOf(status),
                    "message", logged));
        } else if (dangan.store.Outage.isOutage(cause)) {
            // the database is away (a restart, a lost connection): not the request's fault, and nothing of it was done
            status = 503;
            message = answer.text("api.unavailable");
            LOG.warn(service.text("log.api.outage", "method", method(exchange), "path", path(exchange),
                    "problem", dangan.store.Outage.reason(cause)));
        } else {
            status = 500;
            String reference = UUID.randomUUID().toString().substring(0, 8);
            message = answer.text("api.internal", "reference", reference);
            LOG.error(service.text("log.api.failed", "method", method(exchange), "path", path(exchange), "reference", reference), cause);
        }
        onlyOwnHeaders(exchange.getMessage());
        exchange.getMessage().setBody(JSON.writeValueAsBytes(Map.of("error", message)));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (status == 401) exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
        if (status == 503) exchange.getMessage().setHeader("Retry-After", "5");
    }

    /**
     * The HTTP server writes every message header into the response: without this, each request
     * header, path parameter and query parameter (a mobile, a name, a purpose) would come back as a
     * response header, and one carrying a control character (%00, %0A) would fail the answer with a
     * bare 500. Only Camel's own headers (status code) and those Dangan sets on purpose stay.
     */
    public static void onlyOwnHeaders(Message message) {
        message.removeHeaders("*", "Camel*", "Content-Disposition", "WWW-Authenticate", "Retry-After");
    }

    /**
     * A 403 to a member of staff (a valid token or session): audited one by one up to the limit per caller
     * and minute; the call past it is answered 429 and audited once, saying so; later ones 429 unaudited
     * (checked at authentication, before any work). Returns the status to answer.
     */
    private int deniedStaff(Exchange exchange, ApiProblem p, String message) {
        Caller caller = Caller.of(exchange);
        return switch (denials.failed(caller.name(), System.currentTimeMillis())) {
            case AUDIT -> {
                denied(exchange, p, message);
                yield 403;
            }
            case LIMIT_REACHED -> {
                LOG.warn(Messages.of(language).text("log.api.too-many-denied", "count", denials.perMinute() + 1, "user", caller.name()));
                audit.record(new AuditEntry(caller.name(), caller.role().label(), "denied", null, List.of(), null, null,
                        AuditEntry.DENIED, Localized.of("audit.denied.calls", "limit", denials.perMinute(), "user", caller.name())));
                yield 429;
            }
            case REFUSE -> 429;
        };
    }

    private void denied(Exchange exchange, ApiProblem p, String message) {
        Caller caller = exchange.getProperty(Caller.PROPERTY, Caller.class);
        String actor = caller == null ? "anonymous" : caller.name();
        String what = method(exchange) + " " + path(exchange);
        LOG.warn(Messages.of(language).text("log.api.denied", "status", String.valueOf(p.status()), "actor", String.valueOf(actor),
                "call", what, "reason", message));
        audit.record(new AuditEntry(actor, caller == null ? null : caller.role().label(), "denied", maskIds(p.archiveNo()),
                p.categories(), null, null, AuditEntry.DENIED, Localized.of("audit.denied", "call", what, "reason", message)));
    }

    /**
     * Error messages echo what the caller sent (an archive number that is not one, a value that did not
     * parse), and go to the log and, for 401/403, to the audit log: an ID number typed into the wrong
     * field must not reach either in full (D-28). Masked as everywhere else: first 6 and last 4.
     */
    static String maskIds(String text) {
        return Masking.maskIdLikeRuns(text);
    }

    private static String method(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "?", String.class);
    }

    private static String path(Exchange exchange) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        if (uri == null) uri = exchange.getMessage().getHeader(Exchange.HTTP_PATH, "?", String.class);
        int query = uri.indexOf('?');
        if (query >= 0) uri = uri.substring(0, query); // a query may carry a mobile or a name: not for logs or the audit detail
        return maskIds(new String(uri.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replaceAll("[\\r\\n]", "_"));
    }
}
