package dangan.app;

import picocli.CommandLine;

import java.util.concurrent.Callable;

/**
 * A command whose sub-commands do the work ({@code review}, {@code tiers}, {@code keys} …): alone, it
 * shows its usage on stderr and exits {@value Dangan#USAGE}. Its sub-commands are its
 * {@code @Command} methods; they work through {@link #context}.
 */
abstract class CommandGroup implements Callable<Integer> {

    final CommandContext context;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    CommandGroup(CommandContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Dangan.USAGE;
    }
}
