package dangan.normalise;


import java.util.Locale;
import java.util.Map;

/** A consent cell of an input line: given (true), refused or withdrawn (false), or not said (null). */
public final class ConsentValue {

    private static final Map<String, Boolean> WORDS = Map.ofEntries(
            Map.entry("是", true), Map.entry("同意", true), Map.entry("已同意", true), Map.entry("愿意", true),
            Map.entry("接受", true), Map.entry("授权", true), Map.entry("已授权", true), Map.entry("有", true),
            Map.entry("y", true), Map.entry("yes", true), Map.entry("true", true), Map.entry("1", true),
            Map.entry("√", true), Map.entry("✓", true), Map.entry("agree", true), Map.entry("agreed", true),
            Map.entry("granted", true), Map.entry("opt-in", true), Map.entry("ok", true),
            Map.entry("否", false), Map.entry("不同意", false), Map.entry("不愿意", false), Map.entry("拒绝", false),
            Map.entry("不接受", false), Map.entry("撤回", false), Map.entry("已撤回", false), Map.entry("撤销", false),
            Map.entry("无", false), Map.entry("n", false), Map.entry("no", false), Map.entry("false", false),
            Map.entry("0", false), Map.entry("×", false), Map.entry("✗", false), Map.entry("x", false),
            Map.entry("refused", false), Map.entry("declined", false), Map.entry("withdrawn", false),
            Map.entry("withdraw", false), Map.entry("opt-out", false));

    private ConsentValue() {
    }

    /** Parses yes/no in Chinese or English; null for blank; anything else is refused with the accepted forms. */
    public static Boolean parse(String raw) {
        String cleaned = Text.clean(raw);
        if (cleaned == null) return null;
        Boolean value = WORDS.get(cleaned.toLowerCase(Locale.ROOT));
        if (value == null) {
            throw InvalidValueException.of("normalise.consent.invalid", "value", "'" + cleaned + "'");
        }
        return value;
    }
}
