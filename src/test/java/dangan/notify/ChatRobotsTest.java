package dangan.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local stand-in robots against the platforms' published request examples
 * (src/test/resources/chat/): they take what the platforms document and refuse, with the
 * platform's code, a wrong or stale signature — so a relay test they pass is a test against the
 * published formats.
 */
@Tag("fast")
class ChatRobotsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static ChatRobots robots;

    @BeforeAll
    static void start() throws Exception {
        robots = new ChatRobots().robot("wecom-key", null).robot("ding-token", "SECding").robot("ding-open", null)
                .robot("feishu-signed", "feishu-secret").robot("feishu-open", null);
    }

    @AfterAll
    static void stop() {
        robots.close();
    }

    static String fixture(String name) throws Exception {
        try (var in = ChatRobotsTest.class.getResourceAsStream("/chat/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    @Test
    void weComTakesItsPublishedTextAndMarkdownExamplesWithTheKeyAndRefusesAnotherKey() throws Exception {
        assertThat(post(robots.wecomUrl("wecom-key"), fixture("wecom-text.json"))).contains("\"errcode\":0");
        assertThat(post(robots.wecomUrl("wecom-key"), fixture("wecom-markdown.json"))).contains("\"errcode\":0");
        assertThat(robots.at("wecom-key")).hasSize(2);
        assertThat(robots.at("wecom-key").get(0).text()).isEqualTo("广州今日天气：29度，大部分多云，降雨概率：60%");
        assertThat(post(robots.wecomUrl("other-key"), fixture("wecom-text.json"))).contains("\"errcode\":93000");
        String tooLong = "{\"msgtype\":\"text\",\"text\":{\"content\":\"" + "档".repeat(700) + "\"}}"; // 2,100 bytes > 2,048
        assertThat(post(robots.wecomUrl("wecom-key"), tooLong)).contains("\"errcode\":44004");
    }

    @Test
    void dingTalkTakesItsPublishedExamplesSignedAsDocumentedAndRefusesAnUnencodedSign() throws Exception {
        assertThat(post(robots.dingTalkUrl("ding-open"), fixture("dingtalk-text.json"))).contains("\"errcode\":0");
        // a timestamp whose signature has a "+": sent URL-encoded it passes, sent raw the "+" becomes a space
        long timestamp = System.currentTimeMillis();
        while (!ChatPlatform.dingTalkSign(timestamp, "SECding").contains("+")) timestamp++;
        String sign = ChatPlatform.dingTalkSign(timestamp, "SECding");
        String signed = robots.dingTalkUrl("ding-token") + "&timestamp=" + timestamp + "&sign=";
        assertThat(post(signed + URLEncoder.encode(sign, StandardCharsets.UTF_8), fixture("dingtalk-markdown.json")))
                .contains("\"errcode\":0");
        assertThat(post(signed + sign, fixture("dingtalk-markdown.json"))).contains("\"errcode\":310000");
        assertThat(post(robots.dingTalkUrl("ding-token"), fixture("dingtalk-markdown.json"))).contains("\"errcode\":310000");
        // more than an hour old: refused like a wrong signature
        long old = System.currentTimeMillis() - 3_700_000;
        assertThat(post(robots.dingTalkUrl("ding-token") + "&timestamp=" + old + "&sign="
                + URLEncoder.encode(ChatPlatform.dingTalkSign(old, "SECding"), StandardCharsets.UTF_8), fixture("dingtalk-text.json")))
                .contains("\"errcode\":310000");
        assertThat(robots.at("ding-token")).hasSize(1);
        assertThat(robots.at("ding-token").get(0).body().at("/markdown/title").asText()).isEqualTo("杭州天气");
    }

    @Test
    void feishuTakesItsPublishedExamplesAndChecksTheSignatureInTheBody() throws Exception {
        assertThat(post(robots.feishuUrl("feishu-open"), fixture("feishu-interactive.json"))).contains("\"code\":0");
        assertThat(robots.at("feishu-open").get(0).text()).startsWith("今日旅游推荐\n**西湖**");
        // the guide's example verbatim: its placeholder sign and 2020 timestamp are refused
        assertThat(post(robots.feishuUrl("feishu-signed"), fixture("feishu-text.json"))).contains("\"code\":19021");
        // with a fresh timestamp and the documented signature it is taken
        ObjectNode body = (ObjectNode) JSON.readTree(fixture("feishu-text.json"));
        long now = System.currentTimeMillis() / 1000;
        body.put("timestamp", String.valueOf(now)).put("sign", ChatPlatform.feishuSign(now, "feishu-secret"));
        assertThat(post(robots.feishuUrl("feishu-signed"), body.toString())).contains("\"code\":0");
        assertThat(robots.at("feishu-signed").get(0).text()).isEqualTo("request example");
        assertThat(post(robots.feishuUrl("unknown"), body.toString())).contains("\"code\":19001");
    }
}
