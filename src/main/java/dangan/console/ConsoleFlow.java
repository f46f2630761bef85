package dangan.console;

import dangan.flow.Flow;
import dangan.flow.FlowContext;

/** The web console (routes/console.yaml): its files, served from the jar at {@code /}; its data comes from {@code /api}. */
public final class ConsoleFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        context.bind("consoleAssets", new ConsoleAssets());
    }
}
