package dangan.intake;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The order of the work in a merge's transaction is a rule (the phases), not the order the flows register in. */
@Tag("fast")
class MergeListenerOrderTest {

    @Test
    void listenersRunByPhaseWhateverTheOrderTheyRegisterIn() {
        ArchiveIntake intake = new ArchiveIntake(null, null, null, ZoneId.of("Asia/Shanghai"), 1000, Set.of());
        MergeListener audit = (c, run) -> { };
        MergeListener events = (c, run) -> { };
        MergeListener moreEvents = (c, run) -> { };
        MergeListener tiers = (c, run) -> { };

        intake.onMerged(MergeListener.Phase.AUDIT, audit);
        intake.onMerged(MergeListener.Phase.NOTIFICATIONS, events);
        intake.onMerged(MergeListener.Phase.TIERS, tiers);
        intake.onMerged(MergeListener.Phase.NOTIFICATIONS, moreEvents);

        assertThat(intake.mergeListeners()).containsExactly(tiers, events, moreEvents, audit);
    }
}
