package dangan.i18n;

import java.util.List;
import java.util.Locale;

/**
 * The languages Dangan speaks: Simplified Chinese ({@code zh-CN}, the default) and English
 * ({@code en}). The service's language is {@code dangan.locale}; an API request may ask for the
 * other one with {@code Accept-Language}.
 */
public enum Language {

    ZH(Locale.SIMPLIFIED_CHINESE, "zh"),
    EN(Locale.ENGLISH, "en");

    /** The configuration key naming the language of everything a person reads. */
    public static final String KEY = "dangan.locale";

    private final Locale locale;
    private final String suffix;

    Language(Locale locale, String suffix) {
        this.locale = locale;
        this.suffix = suffix;
    }

    public Locale locale() {
        return locale;
    }

    /** The suffix of this language's bundle files: {@code i18n/<area>_<suffix>.properties}. */
    public String suffix() {
        return suffix;
    }

    /**
     * The language a tag names: {@code zh}, {@code zh-CN}, {@code zh-Hans} … are Chinese, {@code en},
     * {@code en-US} … English; empty is Chinese. Anything else is refused, naming the key and the choices.
     */
    public static Language of(String tag) {
        if (tag == null || tag.isBlank()) return ZH;
        String language = Locale.forLanguageTag(tag.strip().replace('_', '-')).getLanguage();
        return switch (language) {
            case "zh" -> ZH;
            case "en" -> EN;
            default -> throw ConfigurationException.of("config.locale", "value", tag.strip());
        };
    }

    /** The language configured by {@code dangan.locale} (default zh-CN). */
    public static Language of(LanguageSetting settings) {
        return of(settings.get(KEY));
    }

    /**
     * The language an HTTP {@code Accept-Language} header prefers among the two Dangan speaks
     * (weights honoured: {@code en;q=0.9, zh;q=0.8} is English), or {@code fallback} when the header
     * is missing, malformed or names neither.
     */
    public static Language ofAcceptLanguage(String header, Language fallback) {
        if (header == null || header.isBlank()) return fallback;
        List<Locale.LanguageRange> ranges;
        try {
            ranges = Locale.LanguageRange.parse(header);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
        for (Locale.LanguageRange range : ranges) {
            if (range.getWeight() <= 0) continue;
            String r = range.getRange();
            if (r.equals("*")) return fallback;
            String language = r.split("-", 2)[0];
            if (language.equals("zh")) return ZH;
            if (language.equals("en")) return EN;
        }
        return fallback;
    }
}
