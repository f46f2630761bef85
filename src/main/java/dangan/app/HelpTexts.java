package dangan.app;

import dangan.i18n.Language;
import dangan.i18n.Messages;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Properties;
import java.util.ResourceBundle;

/**
 * The command line's help texts for picocli, from the {@code cli} message bundle of one language:
 * picocli's key {@code K} (a section such as {@code usage.description}, a command's
 * {@code dangan.user.add.usage.description}, an option's {@code descriptionKey}) is the bundle's
 * {@code cli.help.K}. The texts are picocli format strings ({@code %n} a line break), not ICU patterns.
 */
final class HelpTexts extends ResourceBundle {

    private static final String PREFIX = "cli.help.";

    private final Properties texts = new Properties();

    HelpTexts(Language language) {
        String resource = Messages.file("cli", language);
        try (InputStream in = HelpTexts.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("no message bundle " + resource);
            Properties all = new Properties();
            all.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            all.stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                    .forEach(k -> texts.setProperty(k.substring(PREFIX.length()), all.getProperty(k)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read message bundle " + resource + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected Object handleGetObject(String key) {
        return texts.getProperty(key);
    }

    @Override
    public Enumeration<String> getKeys() {
        return Collections.enumeration(texts.stringPropertyNames());
    }
}
