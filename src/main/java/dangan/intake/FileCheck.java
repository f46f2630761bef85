package dangan.intake;

import dangan.i18n.Messages;
import dangan.intake.read.ReadLimits;
import dangan.intake.read.SpreadsheetReader;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Check before filing: a spreadsheet dropped into {@code inbox/check/} (or given to {@code ingest check FILE})
 * goes through {@link ArchiveIntake#check} — read, normalised and matched exactly as filing it on the
 * channel would, then rolled back — and its {@link CheckReport} is written beside the reject reports.
 * Nothing is filed, numbered, notified or counted as handled.
 */
public final class FileCheck {

    private static final Logger LOG = LoggerFactory.getLogger(FileCheck.class);

    /** What a check found: the counts filing would give, why the whole file would not be filed (or null), where the report is. */
    public record Result(IngestRun run, String notFiled, Path report, Messages messages) {

        /** One line: the counts, the earlier filing of the same content, or why the file would not be filed. */
        public String summary() {
            if (run.isDuplicateFile()) return run.summary(messages);
            if (notFiled != null) return messages.text("ingest.check.summary.not-filed", "file", run.name(), "reason", notFiled);
            return messages.text("ingest.check.summary", "file", run.name(), "format", String.valueOf(run.format()),
                    "read", run.read(), "created", run.created(), "updated", run.updated(), "duplicates", run.duplicates(),
                    "review", run.review(), "rejected", run.rejected(), "warnings", run.warnings());
        }

        /** The summary with what a check is: nothing filed. */
        public String checkOnly() {
            return messages.text("ingest.check.only", "summary", summary());
        }
    }

    private final ArchiveIntake intake;
    private final ReadLimits limits;
    private final Path reportFolder;
    private final String channel;
    private final Messages messages;

    /**
     * @param channel the channel whose rules a checked file is matched on (low-trust mark, earlier content):
     *                {@code dangan.check.channel}, default {@code registrations}
     */
    public FileCheck(ArchiveIntake intake, ReadLimits limits, Path reportFolder, String channel, Messages messages) {
        this.intake = intake;
        this.limits = limits;
        this.reportFolder = reportFolder;
        this.channel = channel;
        this.messages = messages;
    }

    /** The drop folder's step: checks the file and logs one line with its counts and report. */
    public void handle(Exchange exchange) throws Exception {
        Path file = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class)).toAbsolutePath();
        Result result = check(file, channel);
        String route = exchange.getFromRouteId();
        (route == null ? LOG : LoggerFactory.getLogger(route)).info("{}", messages.text("ingest.check.logged",
                "summary", result.summary(), "report", result.report().getFileName().toString()));
    }

    /** Checks a file as it would be filed on {@code channel}; writes and returns its report. */
    public Result check(Path file, String channel) throws Exception {
        String name = FileName.shown(file.getFileName().toString());
        Path[] report = new Path[1];
        String[] why = new String[1];
        IngestRun run = intake.check(channel, name, SpreadsheetIntake.sha256(file), Files.size(file), handler -> {
            var summary = new SpreadsheetReader(limits).read(file, handler);
            return summary.format() + ", " + summary.encoding();
        }, (h, checked, layout, notFiled) -> {
            why[0] = notFiled;
            report[0] = CheckReport.write(h, checked, layout, notFiled, reportFolder, messages);
        });
        return new Result(run, why[0], report[0], messages);
    }

    /** The channel a checked file is matched on unless another is named. */
    public String channel() {
        return channel;
    }

    public Messages messages() {
        return messages;
    }
}
