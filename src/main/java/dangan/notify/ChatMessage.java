package dangan.notify;

import java.util.List;

/**
 * One short work-chat message, before a platform shapes it: a title, a few lines, and a link to
 * the console page when {@code dangan.console.url} is set. {@code urgent} colours a Feishu card red.
 */
public record ChatMessage(String title, List<String> lines, String link, String linkText, boolean urgent) {

    public ChatMessage {
        lines = List.copyOf(lines);
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
