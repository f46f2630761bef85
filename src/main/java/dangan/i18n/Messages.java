package dangan.i18n;

import com.ibm.icu.text.MessageFormat;
import com.ibm.icu.util.ULocale;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every message a person reads, in one language: {@code text("reminders.summary", "job", job, "count", n)}.
 *
 * <p>Messages live in one bundle per area and language, {@code src/main/resources/i18n/<area>_zh.properties}
 * and {@code <area>_en.properties} (UTF-8), and every key starts with its area ({@code chat.sent} is in
 * {@code chat_zh.properties}). A pattern is an ICU MessageFormat with named arguments:
 * {@code {count, plural, one {# reminder} other {# reminders}}}, {@code {amount, number, ::.00}}.
 * Arguments of type {@link LocalDate} are written as people read dates ({@code 2026年12月14日},
 * {@code 14 December 2026}); use ISO dates in JSON and other machine formats. An argument that is itself a
 * {@link Localized} (a reader's reason inside a sentence about the response) is said in the same language.
 */
public final class Messages {

    private static final Map<Language, Messages> BY_LANGUAGE = new EnumMap<>(Language.class);

    static {
        for (Language language : Language.values()) BY_LANGUAGE.put(language, new Messages(language));
    }

    private final Language language;
    private final ULocale locale;
    private final Map<String, Properties> areas = new ConcurrentHashMap<>();
    private final Map<String, MessageFormat> formats = new ConcurrentHashMap<>();

    private Messages(Language language) {
        this.language = language;
        this.locale = ULocale.forLocale(language.locale());
    }

    public static Messages of(Language language) {
        return BY_LANGUAGE.get(language);
    }

    /** The messages of the configured language ({@code dangan.locale}, default zh-CN). */
    public static Messages of(LanguageSetting settings) {
        return of(Language.of(settings));
    }

    /** The messages of an HTTP request's {@code Accept-Language}, or of {@code fallback}. */
    public static Messages ofAcceptLanguage(String header, Language fallback) {
        return of(Language.ofAcceptLanguage(header, fallback));
    }

    public Language language() {
        return language;
    }

    /**
     * The message {@code key} with its named arguments, given as name/value pairs.
     *
     * @throws IllegalArgumentException when the key is in no bundle or the arguments do not pair up
     */
    public String text(String key, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("message " + key + ": arguments come as name/value pairs");
        }
        Map<String, Object> arguments = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            arguments.put(String.valueOf(namesAndValues[i]), namesAndValues[i + 1]);
        }
        return text(key, arguments);
    }

    /** The message {@code key} with its named arguments. */
    public String text(String key, Map<String, ?> arguments) {
        String pattern = pattern(key);
        // a plain text (no argument, nothing quoted) is itself: no MessageFormat to build (feeds ask per row)
        if (arguments.isEmpty() && pattern.indexOf('{') < 0 && pattern.indexOf('\'') < 0) return pattern;
        Map<String, Object> prepared = new HashMap<>();
        arguments.forEach((name, value) -> prepared.put(name, prepare(value)));
        // parsed once per key; a MessageFormat is not safe for two threads, so each call formats with a copy
        MessageFormat parsed = formats.computeIfAbsent(key, k -> new MessageFormat(pattern, locale));
        return ((MessageFormat) parsed.clone()).format(prepared);
    }

    /** Whether some bundle of this language has the key. */
    public boolean has(String key) {
        return bundle(area(key)).containsKey(key);
    }

    /** The pattern of a key as written in its bundle. */
    public String pattern(String key) {
        String pattern = bundle(area(key)).getProperty(key);
        if (pattern == null) {
            throw new IllegalArgumentException("no message " + key + " in " + file(area(key), language));
        }
        return pattern;
    }

    /** A day as people read it: {@code 2026年12月14日} in Chinese, {@code 14 December 2026} in English. */
    public String date(TemporalAccessor day) {
        DateTimeFormatter formatter = dayFormat;
        if (formatter == null) dayFormat = formatter = DateTimeFormatter.ofPattern(pattern("common.date"), language.locale());
        return formatter.format(day);
    }

    /** The day format, built once (immutable, shared by threads). */
    private volatile DateTimeFormatter dayFormat;

    /** An amount of money as people read it: two decimals ({@code 1,280.00}). */
    public String amount(BigDecimal amount) {
        return text("common.amount", "amount", amount);
    }

    private Object prepare(Object value) {
        if (value instanceof LocalDate day) return date(day);
        if (value instanceof Localized inner) return inner.in(this); // a reason inside a reason, in the same language
        if (value instanceof BigDecimal decimal) return decimal; // ICU formats BigDecimal exactly
        return value;
    }

    /** The area of a key: the part before its first dot. */
    static String area(String key) {
        int dot = key.indexOf('.');
        if (dot <= 0) throw new IllegalArgumentException("message key '" + key + "' must start with its area, e.g. chat." + key);
        return key.substring(0, dot);
    }

    /** The bundle file of an area in a language, as a class-path resource name. */
    public static String file(String area, Language language) {
        return "i18n/" + area + "_" + language.suffix() + ".properties";
    }

    private Properties bundle(String area) {
        return areas.computeIfAbsent(area, a -> load(file(a, language)));
    }

    private static Properties load(String resource) {
        Properties properties = new Properties();
        try (InputStream in = Messages.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return properties;
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read message bundle " + resource + ": " + e.getMessage(), e);
        }
        return properties;
    }
}
