package dangan.flow;

import java.util.List;

/**
 * One source or schedule of Dangan (registrations, contracts, surveys, mail …): it binds the
 * beans its YAML routes call, and tells {@code --once} when it has nothing left to take.
 */
public interface Flow {

    /** Binds the beans this flow's routes call; says once in the log when the flow is off. */
    void bind(FlowContext context) throws Exception;

    /** Drop folders under {@code DANGAN_HOME/inbox} that {@code --once} waits to see empty. */
    default List<String> inboxes() {
        return List.of();
    }

    /** For {@code --once}: true when this flow has nothing left to take (mailbox drained, database polled). */
    default boolean drained() {
        return true;
    }
}
