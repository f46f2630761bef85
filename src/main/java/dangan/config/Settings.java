package dangan.config;

import dangan.i18n.ConfigurationException;
import dangan.i18n.LanguageSetting;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Dangan's configuration: {@code config/application.properties}, where every key can be
 * overridden by a {@code -D} system property or by an environment variable named after it
 * ({@code dangan.db.url} ↔ {@code DANGAN_DB_URL}). Precedence: -D, then environment, then file.
 */
public final class Settings implements LanguageSetting {

    private final Map<String, String> fileValues;
    private final Map<String, String> environment;
    private final Properties system;
    private final Map<String, String> overrides;
    /** The folder of the configuration file: what a relative path written in it is relative to. */
    private final Path folder;

    private Settings(Map<String, String> fileValues, Map<String, String> environment, Properties system,
                     Map<String, String> overrides, Path folder) {
        this.folder = folder;
        this.fileValues = fileValues;
        this.environment = environment;
        this.system = system;
        this.overrides = overrides;
    }

    /** Reads the file (UTF-8) and layers the environment and system properties over it. */
    public static Settings load(Path file, Map<String, String> environment, Properties system) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException e) {
            throw new ConfigurationException(dangan.i18n.Localized.of("config.file-unreadable", "file", file.toAbsolutePath().toString(),
                    "problem", String.valueOf(e.getMessage())), e);
        }
        Map<String, String> values = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        Path folder = file.toAbsolutePath().normalize().getParent();
        return new Settings(values, Map.copyOf(environment), system, Map.of(), folder == null ? Path.of("").toAbsolutePath() : folder);
    }

    /** A copy with some keys fixed, above every other source (used by tests and one-off commands). */
    public Settings with(Map<String, String> fixed) {
        Map<String, String> merged = new TreeMap<>(overrides);
        merged.putAll(fixed);
        return new Settings(fileValues, environment, system, merged, folder);
    }

    /** The environment variable that overrides a key: upper case, dots and dashes as underscores. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The effective value, or null when no source sets it (an empty value counts as unset). */
    @Override
    public String get(String key) {
        String value = overrides.get(key);
        if (value == null) value = system.getProperty(key);
        if (value == null) value = environment.get(environmentName(key));
        if (value == null) value = fileValues.get(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    public String get(String key, String fallback) {
        String value = get(key);
        return value == null ? fallback : value;
    }

    /** The value of a key every installation must have; names the key and its variable when missing. */
    public String require(String key) {
        String value = get(key);
        if (value == null) {
            throw ConfigurationException.of("config.not-set", "key", key, "variable", environmentName(key));
        }
        return value;
    }

    public int getInt(String key, int fallback) {
        String value = get(key);
        if (value == null) return fallback;
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ConfigurationException.of("config.not-whole-number", "key", key, "variable", environmentName(key), "value", value);
        }
    }

    public boolean getBoolean(String key, boolean fallback) {
        String value = get(key);
        return value == null ? fallback : Boolean.parseBoolean(value);
    }

    /** Keys named for a count, a size or a duration take a whole number, whatever the file says. */
    private static final java.util.regex.Pattern WHOLE_NUMBER_KEY = java.util.regex.Pattern.compile(
            "(dangan|camel)\\..*[.-](ms|seconds|minutes?|days|months|years|mb|bytes|size|port|timeout|threads|limit|keep|every|batch|attempts|lines)");

    /**
     * Checks each value against the file's own: a key the file sets to a whole number (or one named for a
     * count, size or duration: {@code …-ms}, {@code …-days}, {@code …port}) must be a whole number, one it sets to true/false must stay a boolean, whoever overrides it ({@code DANGAN_HTTP_PORT=80a}
     * is refused here, naming the key and its variable, before anything starts).
     */
    public void checkValues() {
        for (Map.Entry<String, String> entry : fileValues.entrySet()) {
            String key = entry.getKey();
            String shipped = entry.getValue();
            String value = get(key);
            if (value == null || value.contains("{{")) continue;
            if ((shipped.matches("-?\\d+") || WHOLE_NUMBER_KEY.matcher(key).matches()) && !value.matches("-?\\d+")) {
                throw ConfigurationException.of("config.not-whole-number", "key", key, "variable", environmentName(key), "value", value);
            }
            if (shipped.matches("true|false") && !value.matches("true|false")) {
                throw ConfigurationException.of("config.not-boolean", "key", key, "variable", environmentName(key), "value", value);
            }
        }
    }

    /** Every key the file names, with its effective value: what Camel's property placeholders see. */
    public Map<String, String> effective() {
        Map<String, String> all = new TreeMap<>();
        for (String key : fileValues.keySet()) {
            String value = get(key);
            all.put(key, value == null ? "" : value);
        }
        overrides.forEach(all::put);
        return all;
    }

    /**
     * The business's time zone ({@code dangan.timezone}, default Asia/Shanghai): what "today", a
     * schedule's day and opening hours mean. The one place it is read.
     */
    public ZoneId zone() {
        String value = get("dangan.timezone", "Asia/Shanghai");
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw ConfigurationException.of("config.timezone", "key", "dangan.timezone", "variable", environmentName("dangan.timezone"),
                    "value", value);
        }
    }

    /**
     * A path the configuration names, absolute: written in the configuration file (or the
     * {@code fallback}, the file's convention), relative to the file's folder; given by -D, the
     * environment or {@link #with}, relative to the working directory. So {@code --config FILE} works
     * from any folder.
     */
    public Path path(String key, String fallback) {
        String value = get(key);
        return resolve(key, value == null ? fallback : value);
    }

    /**
     * A path that is part of the value of {@code key} (the folder in a pattern), made absolute as
     * {@link #path} does: from the file's folder when the file (or nobody) sets the key, else from the
     * working directory.
     */
    public Path resolve(String key, String path) {
        boolean fromFile = !overrides.containsKey(key) && system.getProperty(key) == null
                && environment.get(environmentName(key)) == null;
        Path p = Path.of(path);
        return (fromFile ? folder.resolve(p) : p.toAbsolutePath()).normalize();
    }

    /** The folder of the configuration file. */
    public Path folder() {
        return folder;
    }

    /**
     * DANGAN_HOME: the folder holding inbox/, outbox/ and data/. Relative in the configuration file:
     * to the file's folder (the shipped {@code dangan.home=..} is the Dangan folder); relative in
     * DANGAN_HOME or -D: to the working directory. Unset: the working directory.
     */
    public Path home() {
        return get("dangan.home") == null ? Path.of("").toAbsolutePath().normalize() : path("dangan.home", ".");
    }
}
