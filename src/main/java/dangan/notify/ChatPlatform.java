package dangan.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * The group robots of the three work-chat platforms, each as its platform documents it: the body
 * of a text or markdown (Feishu: interactive card) message, the signature, and what an answer
 * means.
 * <ul>
 * <li>企业微信 WeCom — {@code https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…}: the key in the
 *     URL is the only credential; {@code {"msgtype":"text","text":{"content":…}}} or
 *     {@code {"msgtype":"markdown","markdown":{"content":…}}}; answers {@code {"errcode":0,"errmsg":"ok"}}.</li>
 * <li>钉钉 DingTalk — {@code https://oapi.dingtalk.com/robot/send?access_token=…}; with 加签 (a
 *     secret {@code SEC…}) the URL also carries {@code &timestamp=<ms>&sign=<urlencode(base64(
 *     HMAC-SHA256(key = secret, message = timestamp + "\n" + secret)))>};
 *     {@code {"msgtype":"markdown","markdown":{"title":…,"text":…}}}; answers {@code errcode}/{@code errmsg}.</li>
 * <li>飞书 Feishu/Lark — {@code https://open.feishu.cn/open-apis/bot/v2/hook/…}; with 签名校验 the body
 *     carries {@code "timestamp":"<s>","sign":"<base64(HMAC-SHA256(key = timestamp + "\n" + secret,
 *     message = empty))>"}; {@code {"msg_type":"text","content":{"text":…}}} or
 *     {@code {"msg_type":"interactive","card":{…}}}; answers {@code {"code":0,"msg":"success"}}.</li>
 * </ul>
 * Each robot takes about 20 messages a minute; an answer that says "too fast" is {@link Verdict#RATE_LIMITED}
 * (the relay waits, the message stays in line and no attempt is counted), one that says the robot
 * cannot take this message (wrong key or signature, keyword or IP filter, robot removed) is
 * {@link Verdict#REFUSED} (parked at once with the reason), anything else unexpected {@link Verdict#FAILED}
 * (retried with back-off like any failed delivery).
 */
public enum ChatPlatform {

    WECOM("企业微信 WeCom", Duration.ofSeconds(60), Set.of(45009, 45033),
            Set.of(93000, 93004, 93008, 40001, 40014, 40008, 40058, 44004, 45002)),
    DINGTALK("钉钉 DingTalk", Duration.ofMinutes(10), Set.of(130101, 410100),
            Set.of(310000, 300001, 300005, 400013, 400101, 400102, 400105, 400106, 430101, 430102, 430103, 430104)),
    FEISHU("飞书 Feishu", Duration.ofSeconds(60), Set.of(11232, 11233),
            Set.of(19001, 19002, 19021, 19022, 19024, 9499, 11246));

    /** What an answer of the robot means for the delivery. */
    public enum Verdict { DELIVERED, RATE_LIMITED, REFUSED, FAILED }

    /** The robot's answer: the verdict and, for the log and {@code last_error}, its code and message (never the URL). */
    public record Answer(Verdict verdict, int code, String message) {
    }

    /** One request to the robot: the query string to add to the URL (may be empty) and the JSON body. */
    public record Request(String query, byte[] body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String label;
    private final Duration rateLimitWait;
    private final Set<Integer> rateLimited;
    private final Set<Integer> refused;

    ChatPlatform(String label, Duration rateLimitWait, Set<Integer> rateLimited, Set<Integer> refused) {
        this.label = label;
        this.rateLimitWait = rateLimitWait;
        this.rateLimited = rateLimited;
        this.refused = refused;
    }

    public String label() {
        return label;
    }

    /** How long the relay leaves a robot alone after it said "too fast" (DingTalk blocks a robot for ten minutes). */
    public Duration rateLimitWait() {
        return rateLimitWait;
    }

    /** The request for one message; {@code markdown} false sends plain text; {@code secret} null sends unsigned. */
    public Request request(ChatMessage message, boolean markdown, String secret, Instant now) {
        ObjectNode body = JSON.createObjectNode();
        String query = "";
        switch (this) {
            case WECOM -> {
                if (markdown) {
                    body.put("msgtype", "markdown").putObject("markdown").put("content", message.markdown());
                } else {
                    body.put("msgtype", "text").putObject("text").put("content", message.text());
                }
            }
            case DINGTALK -> {
                if (markdown) {
                    body.put("msgtype", "markdown").putObject("markdown").put("title", message.title())
                            .put("text", message.markdownParagraphs());
                } else {
                    body.put("msgtype", "text").putObject("text").put("content", message.text());
                }
                if (secret != null) {
                    long timestamp = now.toEpochMilli();
                    query = "timestamp=" + timestamp + "&sign=" + URLEncoder.encode(dingTalkSign(timestamp, secret), StandardCharsets.UTF_8);
                }
            }
            case FEISHU -> {
                if (secret != null) {
                    long timestamp = now.getEpochSecond();
                    body.put("timestamp", String.valueOf(timestamp));
                    body.put("sign", feishuSign(timestamp, secret));
                }
                if (markdown) {
                    body.put("msg_type", "interactive");
                    body.set("card", card(message));
                } else {
                    body.put("msg_type", "text").putObject("content").put("text", message.text());
                }
            }
        }
        try {
            return new Request(query, JSON.writeValueAsBytes(body));
        } catch (Exception e) {
            throw new IllegalStateException("cannot write a " + label + " message", e);
        }
    }

    /** A Feishu interactive card: a header with the title, the lines as lark_md, a button to the console page. */
    private static ObjectNode card(ChatMessage message) {
        ObjectNode card = JSON.createObjectNode();
        card.putObject("config").put("wide_screen_mode", true);
        ObjectNode header = card.putObject("header");
        header.putObject("title").put("tag", "plain_text").put("content", message.title());
        header.put("template", message.urgent() ? "red" : "blue");
        ArrayNode elements = card.putArray("elements");
        elements.addObject().put("tag", "div").putObject("text").put("tag", "lark_md").put("content", String.join("\n", message.lines()));
        if (message.link() != null) {
            ObjectNode button = elements.addObject().put("tag", "action").putArray("actions").addObject();
            button.put("tag", "button").put("type", "primary").put("url", message.link());
            button.putObject("text").put("tag", "plain_text").put("content", message.linkText());
        }
        return card;
    }

    /** DingTalk 加签: base64(HMAC-SHA256 with the secret as key over {@code timestamp + "\n" + secret}), not yet URL-encoded. */
    public static String dingTalkSign(long timestampMillis, String secret) {
        return hmacBase64(secret, timestampMillis + "\n" + secret);
    }

    /** Feishu 签名校验: base64(HMAC-SHA256 with {@code timestamp + "\n" + secret} as key over an empty message). */
    public static String feishuSign(long timestampSeconds, String secret) {
        return hmacBase64(timestampSeconds + "\n" + secret, "");
    }

    private static String hmacBase64(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this Java runtime", e);
        }
    }

    /** The code of an answer that is not JSON. */
    public static final int NOT_JSON = Integer.MIN_VALUE;
    /** The code of a JSON answer without its code ({@code errcode}, Feishu's {@code code}). */
    public static final int NO_CODE = Integer.MIN_VALUE + 1;

    /** What the robot's answer (HTTP status and body) means. HTTP 429 is a rate limit on every platform. */
    public Answer answer(int status, String body) {
        if (status == 429) return new Answer(Verdict.RATE_LIMITED, 429, "HTTP 429");
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (Exception e) {
            node = null;
        }
        if (status / 100 != 2) {
            return new Answer(status >= 500 ? Verdict.FAILED : Verdict.REFUSED, status, "HTTP " + status + shorten(body));
        }
        // an answer Dangan cannot read: the code says which (NOT_JSON, NO_CODE), the message is the robot's own words
        if (node == null || !node.isObject()) return new Answer(Verdict.FAILED, NOT_JSON, shorten(body).strip());
        JsonNode codeNode = this == FEISHU ? first(node, "code", "StatusCode") : node.get("errcode");
        String message = (this == FEISHU ? first(node, "msg", "StatusMessage") : node.path("errmsg")).asText("");
        if (codeNode == null || codeNode.isMissingNode() || !codeNode.canConvertToInt()) {
            return new Answer(Verdict.FAILED, NO_CODE, shorten(body).strip());
        }
        int code = codeNode.asInt();
        if (code == 0) return new Answer(Verdict.DELIVERED, 0, message);
        if (rateLimited.contains(code) || (this == FEISHU && code == 9499 && message.toLowerCase(java.util.Locale.ROOT).contains("too many"))) {
            return new Answer(Verdict.RATE_LIMITED, code, message);
        }
        return new Answer(refused.contains(code) ? Verdict.REFUSED : Verdict.FAILED, code, message);
    }

    private static JsonNode first(JsonNode node, String name, String fallback) {
        return node.hasNonNull(name) ? node.get(name) : node.path(fallback);
    }

    private static String shorten(String body) {
        if (body == null || body.isBlank()) return "";
        String text = body.strip().replaceAll("\\s+", " ");
        return " " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
    }
}
