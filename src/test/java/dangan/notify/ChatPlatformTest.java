package dangan.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three platforms' signatures and message bodies against their published schemes. The expected
 * signatures were computed outside Java, with Python's hmac module and with
 * {@code openssl dgst -sha256 -hmac KEY -binary | base64}, following each platform's published steps.
 */
@Tag("fast")
class ChatPlatformTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final ChatMessage MESSAGE = new ChatMessage("回头客到店", List.of("客人：张三（A 级）", "偏好：客房 靠窗座位"),
            "https://console.example.cn/#/archive/202611001", "在控制台打开", false);

    @Test
    void dingTalkSignsTimestampNewlineSecretWithTheSecretAndUrlEncodesTheBase64() {
        String secret = "SEC3b6d6e2f0a4c4d1b9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6";
        assertThat(ChatPlatform.dingTalkSign(1577000000000L, secret)).isEqualTo("D9hP9fIG5WBxArH8dBej8+kFoRiykP4UFjrPU6YeXRw=");
        ChatPlatform.Request request = ChatPlatform.DINGTALK.request(MESSAGE, true, secret, Instant.ofEpochMilli(1577000000000L));
        // the "+" and "=" of the base64 are percent-encoded, as the platform asks
        assertThat(request.query()).isEqualTo("timestamp=1577000000000&sign=D9hP9fIG5WBxArH8dBej8%2BkFoRiykP4UFjrPU6YeXRw%3D");
    }

    @Test
    void feishuSignsAnEmptyMessageWithTimestampNewlineSecretAsKeyAndPutsItInTheBody() throws Exception {
        assertThat(ChatPlatform.feishuSign(1599360473L, "demo-secret-for-feishu")).isEqualTo("q9oZt4Z7Gzm0Jq9RcPKQKapocsv9+mvZYV5BeXQ/WeI=");
        ChatPlatform.Request request = ChatPlatform.FEISHU.request(MESSAGE, false, "demo-secret-for-feishu", Instant.ofEpochSecond(1599360473L));
        assertThat(request.query()).isEmpty();
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("timestamp").asText()).isEqualTo("1599360473");
        assertThat(body.get("sign").asText()).isEqualTo("q9oZt4Z7Gzm0Jq9RcPKQKapocsv9+mvZYV5BeXQ/WeI=");
        assertThat(body.get("msg_type").asText()).isEqualTo("text");
        assertThat(body.at("/content/text").asText()).isEqualTo("【回头客到店】\n客人：张三（A 级）\n偏好：客房 靠窗座位\n"
                + "在控制台打开：https://console.example.cn/#/archive/202611001");
    }

    @Test
    void bodiesHaveThePublishedShapes() throws Exception {
        // WeCom: {"msgtype":"markdown","markdown":{"content":…}}, no signature (the key is in the URL)
        ChatPlatform.Request wecom = ChatPlatform.WECOM.request(MESSAGE, true, null, Instant.now());
        assertThat(wecom.query()).isEmpty();
        JsonNode w = JSON.readTree(wecom.body());
        assertThat(w.get("msgtype").asText()).isEqualTo("markdown");
        assertThat(w.at("/markdown/content").asText()).startsWith("### 回头客到店\n客人：张三（A 级）\n")
                .endsWith("[在控制台打开](https://console.example.cn/#/archive/202611001)");
        assertThat(JSON.readTree(ChatPlatform.WECOM.request(MESSAGE, false, null, Instant.now()).body()).fieldNames())
                .toIterable().containsExactly("msgtype", "text");

        // DingTalk: {"msgtype":"markdown","markdown":{"title":…,"text":…}}; unsigned without a secret
        ChatPlatform.Request ding = ChatPlatform.DINGTALK.request(MESSAGE, true, null, Instant.now());
        assertThat(ding.query()).isEmpty();
        JsonNode d = JSON.readTree(ding.body());
        assertThat(d.at("/markdown/title").asText()).isEqualTo("回头客到店");
        assertThat(d.at("/markdown/text").asText()).contains("客人：张三（A 级）\n\n偏好：客房 靠窗座位");

        // Feishu: {"msg_type":"interactive","card":{header, elements}} with a button to the console
        JsonNode f = JSON.readTree(ChatPlatform.FEISHU.request(MESSAGE, true, null, Instant.now()).body());
        assertThat(f.has("sign")).isFalse();
        assertThat(f.get("msg_type").asText()).isEqualTo("interactive");
        assertThat(f.at("/card/header/title/content").asText()).isEqualTo("回头客到店");
        assertThat(f.at("/card/elements/0/text/tag").asText()).isEqualTo("lark_md");
        assertThat(f.at("/card/elements/1/actions/0/url").asText()).isEqualTo("https://console.example.cn/#/archive/202611001");
    }

    @Test
    void answersAreMappedToDeliveredRateLimitedRefusedOrFailed() {
        // the platforms' published answers
        assertThat(ChatPlatform.WECOM.answer(200, "{\"errcode\":0,\"errmsg\":\"ok\"}").verdict()).isEqualTo(ChatPlatform.Verdict.DELIVERED);
        assertThat(ChatPlatform.WECOM.answer(200, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.RATE_LIMITED);
        assertThat(ChatPlatform.WECOM.answer(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.REFUSED);
        assertThat(ChatPlatform.DINGTALK.answer(200, "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"}")
                .verdict()).isEqualTo(ChatPlatform.Verdict.RATE_LIMITED);
        assertThat(ChatPlatform.DINGTALK.answer(200, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.REFUSED);
        assertThat(ChatPlatform.DINGTALK.answer(200, "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.REFUSED);
        assertThat(ChatPlatform.FEISHU.answer(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}").verdict())
                .isEqualTo(ChatPlatform.Verdict.DELIVERED);
        assertThat(ChatPlatform.FEISHU.answer(200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.DELIVERED);
        assertThat(ChatPlatform.FEISHU.answer(200, "{\"code\":11232,\"msg\":\"frequency limited psm[lark.oapi.app_platform_runtime]\"}")
                .verdict()).isEqualTo(ChatPlatform.Verdict.RATE_LIMITED);
        assertThat(ChatPlatform.FEISHU.answer(200,
                "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.REFUSED);
        // HTTP itself: 429 waits, 5xx is retried, other 4xx refused; an unknown code is an ordinary failure
        assertThat(ChatPlatform.FEISHU.answer(429, "").verdict()).isEqualTo(ChatPlatform.Verdict.RATE_LIMITED);
        assertThat(ChatPlatform.WECOM.answer(502, "bad gateway").verdict()).isEqualTo(ChatPlatform.Verdict.FAILED);
        assertThat(ChatPlatform.WECOM.answer(404, "").verdict()).isEqualTo(ChatPlatform.Verdict.REFUSED);
        assertThat(ChatPlatform.WECOM.answer(200, "{\"errcode\":-1,\"errmsg\":\"system busy\"}").verdict())
                .isEqualTo(ChatPlatform.Verdict.FAILED);
        assertThat(ChatPlatform.WECOM.answer(200, "<html>proxy</html>").verdict()).isEqualTo(ChatPlatform.Verdict.FAILED);
        // an answer Dangan cannot read is said from the bundles (a parked delivery's last_error), with the robot's own words
        ChatMessages said = new ChatMessages(dangan.i18n.Language.ZH, null);
        assertThat(said.answer(ChatPlatform.WECOM, ChatPlatform.WECOM.answer(200, "<html>proxy</html>")))
                .endsWith("的答复不是 JSON（<html>proxy</html>）");
        assertThat(said.answer(ChatPlatform.FEISHU, ChatPlatform.FEISHU.answer(200, "{\"msg\": \"ok\"}")))
                .endsWith("的答复中没有错误码（{\"msg\": \"ok\"}）");
        assertThat(said.answer(ChatPlatform.WECOM, ChatPlatform.WECOM.answer(200, "{\"errcode\":-1,\"errmsg\":\"system busy\"}")))
                .endsWith("答复 -1（system busy）");
    }

    @Test
    void robotUrlsNeverReachALogOrAnError() {
        assertThat(NotificationRelay.redact("HTTP 500 from https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx (busy)"))
                .isEqualTo("HTTP 500 from https://qyapi.weixin.qq.com/cgi-bin/webhook/send?… (busy)");
        assertThat(NotificationRelay.redact("Connect to https://open.feishu.cn/open-apis/bot/v2/hook/2c1a-77e failed"))
                .isEqualTo("Connect to https://open.feishu.cn/open-apis/bot/v2/hook/… failed");
    }
}
