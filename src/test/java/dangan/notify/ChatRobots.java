package dangan.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Local stand-ins for the three platforms' group robots, checking each request as the platform
 * documents it and answering as the platform does:
 * <ul>
 * <li>WeCom {@code /cgi-bin/webhook/send?key=KEY}: the key; msgtype text (content ≤ 2048 bytes) or
 *     markdown (content ≤ 4096 bytes). Wrong key: errcode 93000. Too many: 45009.</li>
 * <li>DingTalk {@code /robot/send?access_token=T&timestamp=MS&sign=S}: the token; when the robot has a
 *     secret, a timestamp within the hour and sign = urlencode(base64(HMAC-SHA256(secret,
 *     timestamp + "\n" + secret))) — the query is decoded once, as a server does, so a base64 "+"
 *     that was not encoded fails. Wrong: errcode 310000 "sign not match". Too many: 130101.</li>
 * <li>Feishu {@code /open-apis/bot/v2/hook/TOKEN}: body timestamp (seconds, within the hour) and sign =
 *     base64(HMAC-SHA256(key timestamp + "\n" + secret, empty message)); msg_type text or interactive
 *     with a card header. Wrong: code 19021. Too many: 11232.</li>
 * </ul>
 * A robot can be made to take only N messages until {@link #nextMinute} (its rate limit).
 */
final class ChatRobots implements AutoCloseable {

    record Message(String robot, JsonNode body) {
        /** The text a person reads in the group, whatever the format. */
        String text() {
            if (body.has("msgtype")) {
                String type = body.get("msgtype").asText();
                return type.equals("text") ? body.at("/text/content").asText()
                        : body.at("/markdown/content").asText(body.at("/markdown/text").asText());
            }
            if (body.get("msg_type").asText().equals("text")) return body.at("/content/text").asText();
            return body.at("/card/header/title/content").asText() + "\n" + body.at("/card/elements/0/text/content").asText()
                    + "\n" + body.at("/card/elements/1/actions/0/url").asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    final List<Message> accepted = new CopyOnWriteArrayList<>();
    /** Every answer that was not "ok", as robot + code. */
    final List<String> refusals = new CopyOnWriteArrayList<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, Integer> perMinute = new ConcurrentHashMap<>();
    private final Map<String, Integer> thisMinute = new ConcurrentHashMap<>();

    ChatRobots() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cgi-bin/webhook/send", this::wecom);
        server.createContext("/robot/send", this::dingTalk);
        server.createContext("/open-apis/bot/v2/hook/", this::feishu);
        server.start();
    }

    /** A robot (WeCom key, DingTalk token, Feishu hook token) and its signing secret (null: none). */
    ChatRobots robot(String id, String secret) {
        secrets.put(id, secret == null ? "" : secret);
        return this;
    }

    /** The robot takes {@code n} messages, then answers "too fast" until {@link #nextMinute}. */
    void limit(String id, int n) {
        perMinute.put(id, n);
        thisMinute.put(id, 0);
    }

    void nextMinute(String id) {
        thisMinute.put(id, 0);
    }

    String wecomUrl(String key) {
        return base() + "/cgi-bin/webhook/send?key=" + key;
    }

    String dingTalkUrl(String token) {
        return base() + "/robot/send?access_token=" + token;
    }

    String feishuUrl(String token) {
        return base() + "/open-apis/bot/v2/hook/" + token;
    }

    List<Message> at(String id) {
        return accepted.stream().filter(m -> m.robot().equals(id)).toList();
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void wecom(HttpExchange x) throws IOException {
        Map<String, String> q = query(x);
        String key = q.get("key");
        JsonNode body = body(x);
        if (key == null || !secrets.containsKey(key)) {
            answer(x, key, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url, hint: [1700000000_1_abc]\"}", 93000);
            return;
        }
        String type = body.path("msgtype").asText();
        String content = type.equals("text") ? body.at("/text/content").asText() : body.at("/markdown/content").asText();
        int max = type.equals("text") ? 2048 : 4096;
        if (!type.equals("text") && !type.equals("markdown")) {
            answer(x, key, "{\"errcode\":40008,\"errmsg\":\"invalid message type\"}", 40008);
        } else if (content.isEmpty() || content.getBytes(StandardCharsets.UTF_8).length > max) {
            answer(x, key, "{\"errcode\":44004,\"errmsg\":\"empty or too long content\"}", 44004);
        } else if (limited(key)) {
            answer(x, key, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}", 45009);
        } else {
            accepted.add(new Message(key, body));
            answer(x, key, "{\"errcode\":0,\"errmsg\":\"ok\"}", 0);
        }
    }

    private void dingTalk(HttpExchange x) throws IOException {
        Map<String, String> q = query(x);
        String token = q.get("access_token");
        JsonNode body = body(x);
        if (token == null || !secrets.containsKey(token)) {
            answer(x, token, "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}", 300001);
            return;
        }
        String secret = secrets.get(token);
        if (!secret.isEmpty()) {
            String timestamp = q.get("timestamp");
            boolean fresh = timestamp != null && Math.abs(System.currentTimeMillis() - Long.parseLong(timestamp)) < 3_600_000;
            if (!fresh || !hmacBase64(secret, timestamp + "\n" + secret).equals(q.get("sign"))) {
                answer(x, token, "{\"errcode\":310000,\"errmsg\":\"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]\"}",
                        310000);
                return;
            }
        }
        String type = body.path("msgtype").asText();
        boolean wellFormed = type.equals("text") ? !body.at("/text/content").asText().isEmpty()
                : type.equals("markdown") && !body.at("/markdown/title").asText().isEmpty() && !body.at("/markdown/text").asText().isEmpty();
        if (!wellFormed) {
            answer(x, token, "{\"errcode\":400105,\"errmsg\":\"不支持的消息类型\"}", 400105);
        } else if (limited(token)) {
            answer(x, token, "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"}", 130101);
        } else {
            accepted.add(new Message(token, body));
            answer(x, token, "{\"errcode\":0,\"errmsg\":\"ok\"}", 0);
        }
    }

    private void feishu(HttpExchange x) throws IOException {
        String token = x.getRequestURI().getPath().substring("/open-apis/bot/v2/hook/".length());
        JsonNode body = body(x);
        if (!secrets.containsKey(token)) {
            answer(x, token, "{\"code\":19001,\"msg\":\"param invalid: incoming webhook access token invalid\",\"data\":{}}", 19001);
            return;
        }
        String secret = secrets.get(token);
        if (!secret.isEmpty()) {
            String timestamp = body.path("timestamp").asText();
            boolean fresh = !timestamp.isEmpty() && Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) < 3600;
            if (!fresh || !hmacBase64(timestamp + "\n" + secret, "").equals(body.path("sign").asText())) {
                answer(x, token, "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\","
                        + "\"data\":{}}", 19021);
                return;
            }
        }
        String type = body.path("msg_type").asText();
        boolean wellFormed = type.equals("text") ? !body.at("/content/text").asText().isEmpty()
                : type.equals("interactive") && !body.at("/card/header/title/content").asText().isEmpty()
                  && body.at("/card/elements").isArray();
        if (!wellFormed) {
            answer(x, token, "{\"code\":9499,\"msg\":\"Bad Request\",\"data\":{}}", 9499);
        } else if (limited(token)) {
            answer(x, token, "{\"code\":11232,\"msg\":\"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]\",\"data\":{}}",
                    11232);
        } else {
            accepted.add(new Message(token, body));
            answer(x, token, "{\"StatusCode\":0,\"StatusMessage\":\"success\",\"code\":0,\"data\":{},\"msg\":\"success\"}", 0);
        }
    }

    private boolean limited(String id) {
        Integer limit = perMinute.get(id);
        if (limit == null) return false;
        int sent = thisMinute.merge(id, 1, Integer::sum);
        return sent > limit;
    }

    private void answer(HttpExchange x, String robot, String json, int code) throws IOException {
        if (code != 0) refusals.add(robot + " " + code);
        byte[] answer = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(200, answer.length); // the platforms answer 200 and say what went wrong in the body
        try (OutputStream out = x.getResponseBody()) {
            out.write(answer);
        }
    }

    private static JsonNode body(HttpExchange x) throws IOException {
        String type = x.getRequestHeaders().getFirst("Content-Type");
        byte[] bytes = x.getRequestBody().readAllBytes();
        if (type == null || !type.toLowerCase().startsWith("application/json")) return JSON.createObjectNode();
        return JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
    }

    /** The query decoded once, as the platforms' servers do. */
    private static Map<String, String> query(HttpExchange x) {
        Map<String, String> q = new HashMap<>();
        String raw = x.getRequestURI().getRawQuery();
        if (raw == null) return q;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static String hmacBase64(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
