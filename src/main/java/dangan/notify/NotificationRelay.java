package dangan.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.audit.Exposure;
import dangan.i18n.FailureText;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The bean of the relay route ({@code routes/notifications.yaml}, job {@code notification-relay}):
 * {@link #claim} fans new events out and takes the due deliveries, {@link #prepare} turns one into
 * what its channel sends (mail, signed JSON POST, file, a work-chat robot message), {@link #answered}
 * reads a robot's answer, and {@link #delivered} / {@link #failed} / {@link #held} book the outcome.
 * A work-chat robot's deliveries go strictly in event order and within its rate ({@link DeliveryBook#claimInOrder}):
 * once one of them fails in a run, the later ones wait for the next run, and a "too fast" answer only
 * delays ({@link DeliveryBook#deferred}), it never parks. The relay's "now" is the header {@value #NOW_HEADER} when set (an
 * {@link Instant} or ISO instant: tests let back-off pass without waiting), else the clock.
 */
public final class NotificationRelay {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationRelay.class);

    public static final String NOW_HEADER = "DanganRelayNow";
    static final String RUN = "DanganRelayRun";
    static final String DELIVERY = "DanganDelivery";
    static final String CHANNEL = "DanganNotifyChannel";
    static final String TARGET = "DanganNotifyTarget";

    private final DeliveryBook book;
    private final Map<String, Subscriber> subscribers;
    private final String smtpUrl;
    private final String mailFrom;
    private final int batch;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ChatMessages chatMessages;

    public NotificationRelay(DeliveryBook book, List<Subscriber> subscribers, String smtpUrl, String mailFrom, int batch,
                             Clock clock) {
        this(book, subscribers, smtpUrl, mailFrom, batch, clock, new ChatMessages(dangan.i18n.Language.ZH, null));
    }

    public NotificationRelay(DeliveryBook book, List<Subscriber> subscribers, String smtpUrl, String mailFrom, int batch,
                             Clock clock, ChatMessages chatMessages) {
        this.chatMessages = chatMessages;
        this.book = book;
        this.subscribers = subscribers.stream().collect(Collectors.toMap(Subscriber::name, Function.identity()));
        this.smtpUrl = smtpUrl;
        this.mailFrom = mailFrom;
        this.batch = batch;
        this.clock = clock;
    }

    /** What one run did; one log line when it did anything. */
    static final class RelayRun {
        final Instant now;
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger retrying = new AtomicInteger();
        final AtomicInteger parked = new AtomicInteger();
        final AtomicInteger deferred = new AtomicInteger();
        /** Work-chat subscribers one of whose deliveries failed in this run: their later ones wait. */
        final java.util.Set<String> blocked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.Set<String> archives = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int fannedOut;
        int claimed;

        RelayRun(Instant now) {
            this.now = now;
        }

        String summary(dangan.i18n.Messages messages) {
            return messages.text("log.notify.run", "events", fannedOut, "claimed", claimed, "delivered", delivered.get(),
                    "retrying", retrying.get(), "parked", parked.get(), "deferred", deferred.get());
        }
    }

    /** Fans new events out to their subscribers and claims the due deliveries; the body becomes the list of them. */
    public void claim(Exchange exchange) throws SQLException {
        Instant now = now(exchange);
        RelayRun run = new RelayRun(now);
        exchange.setProperty(RUN, run);
        run.fannedOut = book.fanOut(List.copyOf(subscribers.values()), now, 1000);
        List<String> plain = subscribers.values().stream().filter(s -> s.chat() == null).map(Subscriber::name).toList();
        List<DeliveryBook.Delivery> due = new java.util.ArrayList<>(plain.isEmpty() ? List.of() : book.claim(plain, now, batch));
        for (Subscriber s : subscribers.values()) {
            if (s.chat() != null) due.addAll(book.claimInOrder(s.name(), s.chat().perMinute(), now));
        }
        run.claimed = due.size();
        exchange.getMessage().setBody(due);
    }

    /** Turns one delivery into its channel's message: body, headers, and where it goes (exchange properties). */
    public void prepare(Exchange exchange) throws Exception {
        DeliveryBook.Delivery d = exchange.getMessage().getBody(DeliveryBook.Delivery.class);
        exchange.setProperty(DELIVERY, d);
        Subscriber s = subscribers.get(d.subscriber());
        var message = exchange.getMessage();
        message.removeHeaders("*"); // nothing of the job's own headers leaks into a mail or an HTTP request
        if (s.chat() != null) {
            prepareChat(exchange, d, s);
            return;
        }
        byte[] body = envelope(d);
        exchange.setProperty(CHANNEL, s.channel().name().toLowerCase());
        switch (s.channel()) {
            case WEBHOOK -> {
                exchange.setProperty(TARGET, s.to());
                message.setHeader(Exchange.HTTP_METHOD, "POST");
                message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=UTF-8");
                message.setHeader("X-Dangan-Event-Id", d.eventId().toString());
                message.setHeader("X-Dangan-Event-Kind", d.kind());
                message.setHeader("X-Dangan-Attempt", String.valueOf(d.attempt()));
                message.setHeader(WebhookSignature.HEADER, WebhookSignature.of(s.secret(), body));
                message.setBody(body);
            }
            case EMAIL -> {
                exchange.setProperty(TARGET, smtpUrl);
                message.setHeader("To", s.to());
                message.setHeader("From", mailFrom);
                message.setHeader("Subject", subject(d));
                message.setHeader("X-Dangan-Event-Id", d.eventId().toString());
                message.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=UTF-8");
                message.setBody(mailText(d, body));
            }
            case FILE -> {
                exchange.setProperty(TARGET, s.to());
                message.setHeader(Exchange.FILE_NAME, d.eventId() + "." + d.subscriber() + ".json");
                message.setBody(body);
            }
            default -> throw new IllegalStateException("subscriber " + s + " has no chat settings");
        }
    }

    /**
     * A work-chat robot's message (channel {@code chat}): the robot's URL without its query as the
     * target (one endpoint per robot), the query — the WeCom key or DingTalk token, and DingTalk's
     * timestamp and signature — in {@link Exchange#HTTP_QUERY}, the platform's JSON as the body. Signed
     * with the clock's time (the platform checks it is within the hour), not the relay's "now".
     * Channel {@code held} when an earlier delivery to the same robot failed in this run.
     */
    private void prepareChat(Exchange exchange, DeliveryBook.Delivery d, Subscriber s) throws Exception {
        RelayRun run = exchange.getProperty(RUN, RelayRun.class);
        if (run.blocked.contains(s.name())) {
            exchange.setProperty(CHANNEL, "held");
            return;
        }
        Subscriber.Chat chat = s.chat();
        ChatPlatform.Request request = chat.platform().request(chatMessages.of(d, chat.sees()), chat.markdown(), s.secret(),
                clock.instant());
        int q = s.to().indexOf('?');
        String query = q < 0 ? "" : s.to().substring(q + 1);
        if (!request.query().isEmpty()) query = query.isEmpty() ? request.query() : query + "&" + request.query();
        var message = exchange.getMessage();
        exchange.setProperty(CHANNEL, "chat");
        exchange.setProperty(TARGET, q < 0 ? s.to() : s.to().substring(0, q));
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        if (!query.isEmpty()) message.setHeader(Exchange.HTTP_QUERY, query);
        message.setBody(request.body());
    }

    /** What the robot answered (it says "ok" or why not in a JSON body, mostly with HTTP 200): anything but ok fails the delivery. */
    public void answered(Exchange exchange) throws ChatRefusal {
        DeliveryBook.Delivery d = exchange.getProperty(DELIVERY, DeliveryBook.Delivery.class);
        Subscriber s = subscribers.get(d.subscriber());
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        ChatPlatform.Answer answer = s.chat().platform().answer(status == null ? 0 : status, exchange.getMessage().getBody(String.class));
        if (answer.verdict() != ChatPlatform.Verdict.DELIVERED) {
            throw new ChatRefusal(chatMessages.answer(s.chat().platform(), answer), answer);
        }
    }

    /**
     * A robot's answer other than ok; its message (the delivery's {@code last_error}, the log line, the
     * {@code delivery_parked} notice) names the platform, the code and the platform's words, never the URL,
     * in the service's language (bundle area chat).
     */
    public static final class ChatRefusal extends Exception {
        private final transient ChatPlatform.Answer answer;

        ChatRefusal(String message, ChatPlatform.Answer answer) {
            super(message, null, false, false);
            this.answer = answer;
        }

        public ChatPlatform.Answer answer() {
            return answer;
        }
    }

    /** A delivery this run did not attempt because an earlier one to the same robot failed: back in line, unchanged. */
    public void held(Exchange exchange) throws SQLException {
        RelayRun run = exchange.getProperty(RUN, RelayRun.class);
        DeliveryBook.Delivery d = exchange.getProperty(DELIVERY, DeliveryBook.Delivery.class);
        book.released(d, run.now);
        run.claimed--;
    }

    public void delivered(Exchange exchange) throws Exception {
        RelayRun run = exchange.getProperty(RUN, RelayRun.class);
        DeliveryBook.Delivery d = exchange.getProperty(DELIVERY, DeliveryBook.Delivery.class);
        book.delivered(d, run.now);
        run.delivered.incrementAndGet();
        if (d.archiveNo() != null) run.archives.add(d.archiveNo());
        if (d.kind().equals("visit_plan")) { // a digest names several archives: each counts in the audit of the run
            for (JsonNode line : json.readTree(d.payload()).path("first")) run.archives.add(line.path("archive_no").asText());
        }
    }

    /** Books a failed attempt: retried after the back-off, or parked (and said so) after the last attempt. */
    public void failed(Exchange exchange) throws SQLException {
        RelayRun run = exchange.getProperty(RUN, RelayRun.class);
        DeliveryBook.Delivery d = exchange.getProperty(DELIVERY, DeliveryBook.Delivery.class);
        if (d == null) d = exchange.getMessage().getBody(DeliveryBook.Delivery.class);
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = describe(e, chatMessages);
        Subscriber s = subscribers.get(d.subscriber());
        if (s != null && s.chat() != null) {
            ChatRefusal refusal = refusal(e);
            ChatPlatform.Answer answer = refusal == null ? null : refusal.answer();
            if (answer != null && answer.verdict() == ChatPlatform.Verdict.RATE_LIMITED) {
                run.blocked.add(s.name());
                book.deferred(d, run.now.plus(s.chat().platform().rateLimitWait()), error);
                run.deferred.incrementAndGet();
                LOG.info(chatMessages.messages().text("log.notify.rate-limited", "event", String.valueOf(d.eventId()), "kind", d.kind(),
                        "subscriber", d.subscriber(), "problem", error, "wait", s.chat().platform().rateLimitWait().toString()));
                return;
            }
            if (answer != null && answer.verdict() == ChatPlatform.Verdict.REFUSED) {
                book.refused(d, error);
                run.parked.incrementAndGet();
                LOG.warn(chatMessages.messages().text("log.notify.refused", "event", String.valueOf(d.eventId()), "kind", d.kind(),
                        "subscriber", d.subscriber(), "problem", error));
                return;
            }
            run.blocked.add(s.name()); // an ordinary failure: retried with back-off, the later messages wait behind it
        }
        if (book.failed(d, run.now, error)) {
            run.parked.incrementAndGet();
            LOG.warn(chatMessages.messages().text("log.notify.parked", "event", String.valueOf(d.eventId()), "kind", d.kind(),
                    "subscriber", d.subscriber(), "attempts", d.attempt(), "problem", error));
        } else {
            run.retrying.incrementAndGet();
            LOG.info(chatMessages.messages().text("log.notify.retrying", "event", String.valueOf(d.eventId()), "kind", d.kind(),
                    "subscriber", d.subscriber(), "attempt", d.attempt(), "of", book.maxAttempts(), "problem", error,
                    "wait", book.backOff(d.attempt()).toString()));
        }
    }

    /** Ends a run: the body becomes the summary, logged when the run did anything. */
    public String finish(Exchange exchange) {
        RelayRun run = exchange.getProperty(RUN, RelayRun.class);
        String summary = run.summary(chatMessages.messages());
        if (run.fannedOut > 0 || run.claimed > 0) LOG.info(summary); else LOG.debug(summary);
        if (run.delivered.get() > 0) Exposure.relay(exchange, run.delivered.get(), run.archives.size());
        return summary;
    }

    private Instant now(Exchange exchange) {
        Object value = exchange.getMessage().getHeader(NOW_HEADER);
        if (value instanceof Instant instant) return instant;
        if (value != null && !value.toString().isBlank()) return Instant.parse(value.toString().trim());
        return clock.instant();
    }

    /** The JSON every channel carries: the event id (receivers de-duplicate by it), kind, time, archive and payload. */
    byte[] envelope(DeliveryBook.Delivery d) throws Exception {
        ObjectNode node = json.createObjectNode();
        node.put("id", d.eventId().toString());
        node.put("kind", d.kind());
        node.put("occurred_at", d.occurredAt().toInstant().toString());
        node.put("archive_no", d.archiveNo());
        node.set("payload", json.readTree(d.payload()));
        return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    }

    private String subject(DeliveryBook.Delivery d) throws Exception {
        JsonNode payload = json.readTree(d.payload());
        String who = payload.hasNonNull("name") ? payload.get("name").asText() : "";
        return chatMessages.text("notify.mail.subject", "title", chatMessages.kindName(d.kind()), "who", who,
                "archive", d.archiveNo() == null ? "NONE" : d.archiveNo());
    }

    private String mailText(DeliveryBook.Delivery d, byte[] envelope) throws Exception {
        return chatMessages.text("notify.mail.text", "title", chatMessages.kindName(d.kind()),
                "archive", d.archiveNo() == null ? "NONE" : d.archiveNo(), "event", d.eventId().toString(),
                "at", d.occurredAt().toInstant().toString()) + "\n\n" + new String(envelope, StandardCharsets.UTF_8) + "\n";
    }

    /**
     * Why an attempt failed, in one line, without the payload, as the parked list shows it ({@code last_error}), in the
     * configured language: the robot's refusal, the receiver's HTTP answer, else the kind of failure ({@link FailureText});
     * the library's own words go to the log at debug.
     */
    static String describe(Throwable e, ChatMessages said) {
        if (e == null) return said.text("notify.failure.unknown");
        ChatRefusal refusal = refusal(e);
        if (refusal != null) return redact(refusal.getMessage()); // already says what and why
        if (e instanceof HttpOperationFailedException h) {
            String body = h.getResponseBody() == null ? "" : h.getResponseBody().strip();
            if (body.length() > 200) body = body.substring(0, 200) + "…";
            return redact(said.text("notify.failure.http", "status", h.getStatusCode(), "url", h.getUri(),
                    "hasBody", body.isEmpty() ? "no" : "yes", "body", body));
        }
        LOG.debug(redact(e.toString()), e);
        return said.text("notify.failure.other", "failure", FailureText.said(e));
    }

    /** The robot's refusal among the exception and its causes, or null. */
    private static ChatRefusal refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ChatRefusal r) return r;
        }
        return null;
    }

    /** A URL's query (a WeCom key, a DingTalk token and signature) and a Feishu hook's token are credentials: never in a log or last_error. */
    static String redact(String text) {
        return text == null ? null : text.replaceAll("(https?://[^\\s?]*)\\?[^\\s]*", "$1?…").replaceAll("(/hook/)[^\\s/?]+", "$1…");
    }
}
