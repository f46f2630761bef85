package dangan.i18n;

import com.ibm.icu.text.MessageFormat;
import com.ibm.icu.util.ULocale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bundles as they are in the source tree: every area has a Chinese and an English file, both
 * valid UTF-8, with the same keys, every key starting with its area, every pattern a valid ICU
 * MessageFormat, and the same named arguments in both languages.
 */
@Tag("fast")
class I18nBundlesTest {

    private static final Path BUNDLES = Path.of("src/main/resources/i18n");

    @Test
    void everyKeyOfEveryAreaIsInBothLanguagesAndEveryPatternParses() throws IOException {
        Set<String> areas = areas();
        assertThat(areas).as("areas in %s", BUNDLES).contains("common");
        List<String> problems = new ArrayList<>();
        int patterns = 0;
        for (String area : areas) {
            Properties zh = read(area, Language.ZH, problems);
            Properties en = read(area, Language.EN, problems);
            Set<String> keys = new TreeSet<>(zh.stringPropertyNames());
            keys.addAll(en.stringPropertyNames());
            for (String key : keys) {
                if (!key.startsWith(area + ".")) problems.add(area + ": key " + key + " does not start with '" + area + ".'");
                String zhPattern = zh.getProperty(key);
                String enPattern = en.getProperty(key);
                if (zhPattern == null) { problems.add(Messages.file(area, Language.ZH) + ": missing " + key); continue; }
                if (enPattern == null) { problems.add(Messages.file(area, Language.EN) + ": missing " + key); continue; }
                Set<String> zhArguments = arguments(key, zhPattern, Language.ZH, problems);
                Set<String> enArguments = arguments(key, enPattern, Language.EN, problems);
                patterns += 2;
                if (zhArguments != null && enArguments != null && !zhArguments.equals(enArguments)) {
                    problems.add(key + ": arguments differ, zh " + zhArguments + ", en " + enArguments);
                }
            }
        }
        assertThat(problems).as("bundle problems").isEmpty();
        assertThat(patterns).isGreaterThan(10);
    }

    @Test
    void theDayPatternIsAJavaTimePatternInBothLanguages() {
        for (Language language : Language.values()) {
            DateTimeFormatter.ofPattern(Messages.of(language).pattern("common.date"));
        }
    }

    /** Every area that has a file in either language (a lone file is reported as a missing twin). */
    private static Set<String> areas() throws IOException {
        Set<String> areas = new TreeSet<>();
        try (Stream<Path> files = Files.list(BUNDLES)) {
            files.map(f -> f.getFileName().toString()).forEach(name -> {
                assertThat(name).as("bundle file name").matches("[a-z][a-z0-9-]*_(zh|en)\\.properties");
                areas.add(name.substring(0, name.lastIndexOf('_')));
            });
        }
        return areas;
    }

    private static Properties read(String area, Language language, List<String> problems) throws IOException {
        Path file = BUNDLES.resolve(area + "_" + language.suffix() + ".properties");
        Properties properties = new Properties();
        if (!Files.exists(file)) {
            problems.add(file + " is missing");
            return properties;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            properties.load(new StringReader(text));
        } catch (CharacterCodingException e) {
            problems.add(file + " is not UTF-8");
        }
        return properties;
    }

    private static Set<String> arguments(String key, String pattern, Language language, List<String> problems) {
        try {
            MessageFormat format = new MessageFormat(pattern, ULocale.forLocale(language.locale()));
            if (format.usesNamedArguments() || format.getArgumentNames().isEmpty()) {
                return new TreeSet<>(format.getArgumentNames());
            }
            problems.add(key + " (" + language.suffix() + "): use named arguments ({count}), not numbered ones ({0})");
            return null;
        } catch (IllegalArgumentException e) {
            problems.add(key + " (" + language.suffix() + "): not an ICU MessageFormat pattern: " + e.getMessage());
            return null;
        }
    }
}
