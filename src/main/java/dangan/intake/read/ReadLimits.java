package dangan.intake.read;

/**
 * Safety limits applied while reading a spreadsheet; exceeding one makes the file unreadable.
 *
 * @param maxFileBytes largest accepted file size on disk
 * @param maxColumns   largest accepted number of columns in a row
 * @param maxCellChars largest accepted number of characters in one cell
 */
public record ReadLimits(long maxFileBytes, int maxColumns, int maxCellChars) {

    /** Validates that every limit is positive. */
    public ReadLimits {
        if (maxFileBytes <= 0 || maxColumns <= 0 || maxCellChars <= 0) {
            throw dangan.i18n.ConfigurationException.of("config.read-limits", "bytes", String.valueOf(maxFileBytes),
                    "columns", String.valueOf(maxColumns), "cell", String.valueOf(maxCellChars));
        }
    }

    /** The configured limits: {@code dangan.intake.max-file-mb} (200) and {@code dangan.intake.max-columns} (500). */
    public static ReadLimits of(dangan.config.Settings settings) {
        return new ReadLimits(settings.getInt("dangan.intake.max-file-mb", 200) * 1024L * 1024L,
                settings.getInt("dangan.intake.max-columns", 500), defaults().maxCellChars());
    }

    /** 200 MiB, 500 columns, 32,768 characters per cell. */
    public static ReadLimits defaults() {
        return new ReadLimits(200L * 1024 * 1024, 500, 32_768);
    }
}
