package dangan.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.i18n.Messages;
import dangan.i18n.TextTable;
import dangan.store.ArchiveDatabase;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * What every command shares: its settings (read when it runs), stdout for the answer, stderr for
 * everything else, and the words of its language ({@code dangan.locale}, the {@code cli} bundle).
 * {@code --json} answers are written here too: one JSON document on stdout, keys in English
 * snake_case for machines, times in ISO-8601.
 */
final class CommandContext {

    /** Built when a command answers in JSON, not before (a command without --json does not pay for it). */
    private static final class Json {
        static final ObjectMapper MAPPER = JsonMapper.builder().addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    }

    private final Supplier<Settings> settings;
    private final PrintStream out;
    private final PrintStream err;

    CommandContext(Supplier<Settings> settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    Settings settings() {
        return settings.get();
    }

    Messages messages() {
        return Messages.of(settings());
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** The work of a command on the archive database; {@code audit} gives its audit trail. */
    interface Work {
        int run(ArchiveDatabase database, Supplier<AuditTrail> audit) throws Exception;
    }

    /**
     * Opens the archive database (the running service's, or the embedded one started for the command), does the work, closes it.
     * The audit trail is made when the work first asks for it: its key comes from the master key, which a command that
     * audits nothing ({@code keys status} on an archive without one) must not create.
     */
    int onDatabase(Work work) throws Exception {
        Settings settings = settings();
        try (ArchiveDatabase database = ArchiveDatabase.open(settings)) {
            AuditTrail[] audit = new AuditTrail[1];
            return work.run(database, () -> {
                if (audit[0] == null) audit[0] = AuditTrail.configured(settings, database.dataSource());
                return audit[0];
            });
        }
    }

    /** A line of the answer, on stdout. */
    void say(String key, Object... namesAndValues) {
        out.println(messages().text(key, namesAndValues));
    }

    /** A line about the answer (a refusal, a note), on stderr. */
    void note(String key, Object... namesAndValues) {
        err.println(messages().text(key, namesAndValues));
    }

    /** A state as people read it ({@code cli.status.*}: open, decided, parked …), or as stored when the bundle has no word for it. */
    String status(String status) {
        Messages messages = messages();
        return status != null && messages.has("cli.status." + status) ? messages.text("cli.status." + status) : status;
    }

    /** A table whose column headings are these message keys. */
    TextTable table(String... headingKeys) {
        return TextTable.of(messages(), headingKeys);
    }

    /** {@code --json}: the value as one JSON document on stdout. */
    int json(Object value) throws IOException {
        out.println(Json.MAPPER.writeValueAsString(value));
        return Dangan.OK;
    }

    /**
     * A command line that picocli accepted but the command cannot use (a malformed number, a missing
     * {@code --by}): nothing is done, exit {@value Dangan#USAGE}, the message and the way to the help on stderr.
     */
    CommandLine.ParameterException usage(CommandLine.Model.CommandSpec spec, String key, Object... namesAndValues) {
        return new CommandLine.ParameterException(spec.commandLine(), messages().text(key, namesAndValues));
    }

    /** A number as the listings show it ({@code 7} or {@code #7}): a proposal, line, change or ingest; anything else is a usage error. */
    long number(CommandLine.Model.CommandSpec spec, String typed) {
        try {
            long n = Long.parseLong(typed.replace("#", "").strip());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw usage(spec, "cli.not-a-number", "value", typed);
    }
}
