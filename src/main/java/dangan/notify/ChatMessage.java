package dangan.notify;

import java.util.List;

/**
 * One short work-chat message, before a platform shapes it: a title, a few lines, and a link to
 * the console page when {@code dangan.console.url} is set. {@code urgent} colours a Feishu card red.
 * A line longer than {@value #MAX_LINE} characters (a guest with many preferences) is cut with "…",
 * so a message stays well inside every platform's limit (WeCom: 2,048 bytes of text).
 */
public record ChatMessage(String title, List<String> lines, String link, String linkText, boolean urgent) {

    /** The longest line a message keeps, in characters. */
    public static final int MAX_LINE = 200;

    public ChatMessage {
        lines = lines.stream().map(ChatMessage::cut).toList();
    }

    private static String cut(String line) {
        return line.codePointCount(0, line.length()) <= MAX_LINE ? line
                : line.substring(0, line.offsetByCodePoints(0, MAX_LINE - 1)) + "…";
    }

    /** Plain text: the title in 【】, the lines, the link. */
    public String text() {
        StringBuilder out = new StringBuilder("【").append(title).append("】");
        for (String line : lines) out.append('\n').append(line);
        if (link != null) out.append('\n').append(linkText).append(linkText.matches(".*\\p{IsHan}.*") ? "：" : ": ").append(link);
        return out.toString();
    }

    /** Markdown with single line breaks (WeCom). */
    public String markdown() {
        return "### " + title + "\n" + String.join("\n", lines) + (link != null ? "\n[" + linkText + "](" + link + ")" : "");
    }

    /** Markdown with a paragraph per line (DingTalk renders single line breaks as spaces). */
    public String markdownParagraphs() {
        return "### " + title + "\n\n" + String.join("\n\n", lines) + (link != null ? "\n\n[" + linkText + "](" + link + ")" : "");
    }
}
