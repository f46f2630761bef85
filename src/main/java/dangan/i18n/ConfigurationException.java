package dangan.i18n;

/**
 * A setting Dangan cannot use, said as a message of the bundles (area {@code config} for the settings, or
 * the area of the part that reads them): what (the key, and its environment variable), where (its value,
 * when it is not a secret) and why. The command line prints it in the reader's language as the one line of
 * a refused start ({@code 失败：配置项 dangan.http.port（环境变量 DANGAN_HTTP_PORT）必须是整数，而不是 “80a”});
 * {@link #getMessage()} is English, for a stack trace; {@link FailureText#line} finds the reason inside whatever wrapped it.
 */
public final class ConfigurationException extends IllegalStateException implements Localized.Carrier {

    private final transient Localized reason;

    public ConfigurationException(Localized reason) {
        super(reason.english());
        this.reason = reason;
    }

    public ConfigurationException(Localized reason, Throwable cause) {
        super(reason.english(), cause);
        this.reason = reason;
    }

    /** The setting refused with the message {@code key} and its named arguments. */
    public static ConfigurationException of(String key, Object... namesAndValues) {
        return new ConfigurationException(Localized.of(key, namesAndValues));
    }

    @Override
    public Localized reason() {
        return reason;
    }
}
