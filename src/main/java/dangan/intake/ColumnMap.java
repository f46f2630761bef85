package dangan.intake;

import com.ibm.icu.text.Transliterator;
import dangan.normalise.Text;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Header aliases (config/columns.properties): which spreadsheet headings, in Chinese or
 * English, mean which canonical field. Headings compare after full-width → half-width,
 * lower case, and without spaces, underscores, dashes, colons and bracketed notes.
 */
public final class ColumnMap {

    /** Traditional → Simplified Chinese; one per thread (a transliterator is not meant to be shared). */
    private static final ThreadLocal<Transliterator> SIMPLIFIED =
            ThreadLocal.withInitial(() -> Transliterator.getInstance("Traditional-Simplified"));

    /**
     * Words of headings that look like sensitive data (ID documents, health, bank cards), compared on
     * {@link #canonical} headings. A column with such a heading that is not recognised as a sealed field is
     * never filed in clear as an extra attribute: its values are held back (see RowNormaliser).
     */
    private static final List<String> SENSITIVE_WORDS = List.of("身份证", "证件", "护照", "passport", "idcard", "idno",
            "健康", "身体", "病", "诊断", "过敏", "药", "血型", "体检", "health", "medical", "diagnos", "allerg", "disease",
            "银行卡", "bankcard", "creditcard", "密码", "password");

    private final Map<String, Field> byHeading;

    private ColumnMap(Map<String, Field> byHeading) {
        this.byHeading = byHeading;
    }

    /**
     * The last version read of each file (its size and modification time, and the map): a start reads columns.properties
     * in three places (the start's checks, the intake, mail) and the transliteration of every alias is most of what that
     * costs. A file changed since is read again and replaces its old version.
     */
    private static final Map<Path, Read> READ = new java.util.concurrent.ConcurrentHashMap<>();

    private record Read(String version, ColumnMap map) {
    }

    public static ColumnMap load(Path file) {
        String version;
        try {
            version = Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return read(file); // says why it cannot be read
        }
        return READ.compute(file.toAbsolutePath(), (path, last) ->
                last != null && last.version().equals(version) ? last : new Read(version, read(file))).map();
    }

    private static ColumnMap read(Path file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException e) {
            throw new dangan.i18n.ConfigurationException(dangan.i18n.Localized.of("config.columns.unreadable", "file", file.toAbsolutePath().toString(), "problem", String.valueOf(e.getMessage())), e);
        }
        Map<String, Field> byHeading = new HashMap<>();
        for (String key : props.stringPropertyNames()) {
            Field field = Field.byKey(key.trim());
            byHeading.put(canonical(field.key()), field);
            for (String alias : props.getProperty(key).split(",")) {
                String heading = canonical(alias);
                if (heading.isEmpty()) continue;
                Field earlier = byHeading.put(heading, field);
                if (earlier != null && earlier != field) {
                    throw dangan.i18n.ConfigurationException.of("config.columns.twice", "alias", alias.trim(), "file", file.toString(), "first", earlier.key(), "second", field.key());
                }
            }
        }
        return new ColumnMap(Map.copyOf(byHeading));
    }

    /** Assigns each column of a header row to a field; a second column for the same field, and unknown ones, stay extra. */
    public Layout layout(List<String> headings) {
        Map<Field, Integer> fields = new EnumMap<>(Field.class);
        Map<Integer, String> extra = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < headings.size(); i++) {
            String raw = headings.get(i);
            String shown = raw == null ? "" : raw.trim();
            names.add(shown);
            Field field = byHeading.get(canonical(shown));
            if (field != null && !fields.containsKey(field)) {
                fields.put(field, i);
            } else if (!shown.isEmpty()) {
                extra.put(i, shown);
            }
        }
        return new Layout(Collections.unmodifiableMap(fields), Map.copyOf(extra), List.copyOf(names));
    }

    /**
     * A heading as headings compare: Traditional characters as Simplified (身份證號碼 is 身份证号码, 健康狀況
     * is 健康状况; ICU's Traditional-Simplified transliterator), full-width as half-width, lower case, without
     * spaces, _ - : * and notes in brackets.
     */
    static String canonical(String heading) {
        String clean = Text.clean(heading);
        if (clean == null) return "";
        return SIMPLIFIED.get().transliterate(clean).toLowerCase(Locale.ROOT)
                .replaceAll("[(（\\[].*?[)）\\]]", "")
                .replaceAll("[\\s_\\-:：*]", "");
    }

    /** The heading looks like one of sensitive data (ID documents, health, bank cards, passwords). */
    public static boolean looksSensitive(String heading) {
        String canonical = canonical(heading);
        return SENSITIVE_WORDS.stream().anyMatch(canonical::contains);
    }

    /** Where each field stands in a file's rows, and the columns kept as extra attributes. */
    public record Layout(Map<Field, Integer> fields, Map<Integer, String> extra, List<String> headings) {

        public boolean has(Field field) {
            return fields.containsKey(field);
        }

        /** The cell of a field in a row, or null when the file has no such column or the row is short. */
        public String cell(List<String> cells, Field field) {
            Integer index = fields.get(field);
            return index == null || index >= cells.size() ? null : cells.get(index);
        }

        public String heading(Field field) {
            Integer index = fields.get(field);
            return index == null ? field.key() : headings.get(index);
        }
    }
}
