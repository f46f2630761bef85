package dangan.i18n;

/**
 * Where the configured language is read: {@code dangan.config.Settings} is one. The bundles depend on this,
 * not on the configuration, so the configuration can refuse a value in the reader's language
 * ({@link ConfigurationException}) without a package cycle.
 */
@FunctionalInterface
public interface LanguageSetting {

    /** The value of a configuration key, or null when it is not set. */
    String get(String key);
}
