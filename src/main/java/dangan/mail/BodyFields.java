package dangan.mail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code field: value} lines of a mail body (姓名: 张三 / 手机：13800138000 / 偏好: 靠窗座位),
 * read as one row: the field names are the header, the values the row, so the same column
 * aliases apply as for a spreadsheet. Reading stops at a signature ({@code -- }) or at the start
 * of a quoted earlier mail; quoted lines ({@code >}) and lines without a colon (greetings) are
 * skipped. A field named twice keeps both values, joined with '；'.
 */
public record BodyFields(List<String> names, List<String> values) {

    private static final Pattern FIELD = Pattern.compile("^\\s*([^:：>\\s][^:：]{0,39}?)\\s*[:：]\\s*(.*?)\\s*$");
    private static final Pattern QUOTE_START = Pattern.compile(
            "^\\s*(-{2,}\\s*(original message|原始邮件|forwarded message|转发邮件).*|on .+ wrote:\\s*|在.+写道[:：]\\s*)$",
            Pattern.CASE_INSENSITIVE);

    public static BodyFields parse(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (body != null) {
            for (String line : body.split("\\R")) {
                if (line.equals("-- ") || line.equals("--") || QUOTE_START.matcher(line).matches()) break;
                if (line.stripLeading().startsWith(">")) continue;
                Matcher m = FIELD.matcher(line);
                if (!m.matches() || m.group(2).startsWith("//")) continue; // a URL, not a field
                String name = m.group(1).strip();
                String value = m.group(2);
                fields.merge(name, value, (a, b) -> a.isEmpty() ? b : b.isEmpty() ? a : a + "；" + b);
            }
        }
        return new BodyFields(new ArrayList<>(fields.keySet()), new ArrayList<>(fields.values()));
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The lines as text, for the content checksum: the same details sent again are recognised. */
    String canonical() {
        StringBuilder text = new StringBuilder("mail body\n");
        for (int i = 0; i < names.size(); i++) text.append(names.get(i)).append(": ").append(values.get(i)).append('\n');
        return text.toString();
    }
}
