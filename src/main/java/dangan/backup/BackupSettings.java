package dangan.backup;

import dangan.i18n.Localized;
import dangan.config.Settings;
import dangan.i18n.Language;
import dangan.i18n.Messages;
import dangan.privacy.MasterKey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;

/**
 * Where backups go and how many are kept: {@code dangan.backup.folder} (relative to DANGAN_HOME;
 * default {@code DANGAN_HOME/backups}), {@code dangan.backup.keep} (default 14), the master
 * key the files are sealed with, and the language of what a backup says ({@code dangan.locale}).
 */
public record BackupSettings(Path folder, int keep, byte[] masterKey, ZoneId zone, Messages messages) {

    public BackupSettings {
        if (keep < 1) {
            throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", "dangan.backup.keep", "value", String.valueOf(keep));
        }
    }

    /** In Simplified Chinese (the default language). */
    public BackupSettings(Path folder, int keep, byte[] masterKey, ZoneId zone) {
        this(folder, keep, masterKey, zone, Messages.of(Language.ZH));
    }

    /** From the configuration; the master key as the service resolves it (generated on first use). */
    public static BackupSettings from(Settings settings) {
        Path home = settings.home();
        return from(settings, MasterKey.resolve(settings.get("dangan.master-key"), home.resolve("data").resolve("master.key"),
                Messages.of(settings)));
    }

    /** For a restore: the master key must already exist (a new one could never open the backup). */
    static BackupSettings forRestore(Settings settings) {
        Path keyFile = settings.home().resolve("data").resolve("master.key");
        if (settings.get("dangan.master-key") == null && !Files.exists(keyFile)) {
            throw new BackupFailure(BackupFailure.NO_INPUT, Localized.of("backup.file.no-master-key", "file", keyFile.toString()));
        }
        return from(settings);
    }

    static BackupSettings from(Settings settings, byte[] masterKey) {
        Path folder = settings.home().resolve(settings.get("dangan.backup.folder", "backups")).normalize();
        return new BackupSettings(folder, settings.getInt("dangan.backup.keep", 14), masterKey,
                settings.zone(), Messages.of(settings));
    }

    public Path keyring() {
        return folder.resolve(Keyring.FILE_NAME);
    }
}
