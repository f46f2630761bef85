package dangan.surveys;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The replay cache of signed survey POSTs: once per source inside the window, bounded per source, forgotten after it. */
@Tag("fast")
class SeenSignaturesTest {

    @Test
    void aSignatureIsTakenOncePerSourceUntilItsWindowEndsAndEachSourceIsBounded() {
        SurveyCredentials.SeenSignatures seen = new SurveyCredentials.SeenSignatures(2);

        assertThat(seen.firstUse("wjx", "sha256=aa", 1_000, 0)).isTrue();
        assertThat(seen.firstUse("wjx", "sha256=aa", 1_000, 500)).as("replayed inside the window").isFalse();
        assertThat(seen.firstUse("jsj", "sha256=aa", 1_000, 500)).as("another source's cache").isTrue();
        assertThat(seen.firstUse("wjx", "sha256=bb", 1_000, 500)).isTrue();
        assertThat(seen.firstUse("wjx", "sha256=cc", 1_000, 500)).as("the source's share is full of live signatures").isFalse();

        assertThat(seen.firstUse("wjx", "sha256=cc", 2_000, 1_001)).as("the old ones left with their window").isTrue();
        assertThat(seen.firstUse("wjx", "sha256=aa", 2_000, 1_001)).isTrue();
    }
}
