package dangan.support;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The slowest-first list names test classes that exist: a renamed or removed class would silently start late. */
@Tag("fast")
class SlowestFirstTest {

    @Test
    void everyListedClassIsATestClassOnTheClassPath() throws Exception {
        for (String name : SlowestFirst.SLOWEST) {
            Class<?> listed = Class.forName(name, false, SlowestFirstTest.class.getClassLoader());
            assertThat(listed.getSimpleName()).endsWith("Test");
        }
        assertThat(SlowestFirst.SLOWEST).doesNotHaveDuplicates();
        assertThat(SlowestFirst.rank("dangan.support.SlowestFirstTest")).isEqualTo(SlowestFirst.SLOWEST.size());
    }
}
