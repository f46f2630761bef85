package dangan.app;

import dangan.i18n.Messages;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A wrong command line, said in the reader's language (the {@code cli} bundle) instead of picocli's
 * English: what is wrong, the command meant when it was mistyped, and where the help is. Nothing was
 * done: exit {@value Dangan#USAGE}, everything on stderr.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    private final Messages messages;

    UsageErrors(Messages messages) {
        this.messages = messages;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        PrintWriter err = line.getErr();
        err.println(problem(ex));
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            if (unmatched.isUnknownOption()) {
                err.println(messages.text("cli.usage.options-are", "suggestions", String.join(", ", unmatched.getSuggestions())));
            } else { // a command mistyped: the whole command meant, as one would type it
                String command = line.getCommandSpec().qualifiedName();
                err.println(messages.text("cli.usage.did-you-mean", "suggestions", unmatched.getSuggestions().stream()
                        .map(s -> command + " " + s).collect(Collectors.joining(messages.text("cli.usage.or")))));
            }
        }
        err.println(messages.text("cli.usage.see-help", "command", line.getCommandSpec().qualifiedName()));
        return Dangan.USAGE;
    }

    private String problem(ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            return messages.text(unmatched.isUnknownOption() ? "cli.usage.unknown-option" : "cli.usage.unmatched",
                    "arguments", String.join(" ", unmatched.getUnmatched()));
        }
        if (ex instanceof CommandLine.MissingParameterException missing) {
            return messages.text("cli.usage.missing", "names", missing.getMissing().stream().map(UsageErrors::name)
                    .collect(Collectors.joining(", ")));
        }
        ArgSpec arg = ex.getArgSpec();
        if (arg != null && ex.getValue() != null && ex.getCause() != null) { // a value its type cannot be made of
            return messages.text("cli.usage.bad-value", "name", name(arg), "value", ex.getValue(), "type", type(arg.type()));
        }
        if (ex instanceof CommandLine.MutuallyExclusiveArgsException) {
            return messages.text("cli.usage.exclusive", "options", ex.getCommandLine().getCommandSpec().argGroups().stream()
                    .filter(CommandLine.Model.ArgGroupSpec::exclusive).flatMap(g -> g.args().stream()).map(UsageErrors::name)
                    .collect(Collectors.joining(", ")));
        }
        if (ex instanceof CommandLine.MaxValuesExceededException) {
            return messages.text("cli.usage.too-many", "problem", ex.getMessage());
        }
        return ex.getMessage(); // ours are worded from the bundle already (see CommandContext.usage)
    }

    private String type(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return messages.text("cli.usage.type.number");
        if (type == LocalDate.class) return messages.text("cli.usage.type.date");
        if (type == UUID.class) return messages.text("cli.usage.type.uuid");
        if (type == Path.class) return messages.text("cli.usage.type.path");
        return type.getSimpleName();
    }

    private static String name(ArgSpec arg) {
        if (arg instanceof OptionSpec option) return option.longestName();
        if (arg instanceof PositionalParamSpec positional) return positional.paramLabel();
        return String.valueOf(arg);
    }
}
