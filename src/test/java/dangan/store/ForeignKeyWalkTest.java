package dangan.store;

import dangan.store.ForeignKeyWalk.ForeignKey;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deletion order and conditions of the walk, from foreign keys given as the catalog would. */
@Tag("fast")
class ForeignKeyWalkTest {

    private static ForeignKey key(String child, String column, String parent, String parentColumn) {
        return new ForeignKey(child, List.of(column), parent, List.of(parentColumn));
    }

    @Test
    void childrenGoBeforeTheirParentsAndTheRootLast() {
        ForeignKeyWalk walk = new ForeignKeyWalk("customer", List.of(
                key("visit", "customer_id", "customer", "id"),
                key("visit_note", "visit_id", "visit", "id"),
                key("consent", "customer_id", "customer", "id"),
                key("unrelated", "x_id", "other", "id")));
        List<String> order = walk.order();
        assertThat(order).containsExactlyInAnyOrder("visit_note", "visit", "consent", "customer");
        assertThat(order.indexOf("visit_note")).isLessThan(order.indexOf("visit"));
        assertThat(order).last().isEqualTo("customer");
    }

    @Test
    void aConditionFollowsEveryPathToTheRoot() {
        ForeignKeyWalk walk = new ForeignKeyWalk("customer", List.of(
                key("visit", "customer_id", "customer", "id"),
                key("visit_note", "visit_id", "visit", "id"),
                key("visit_note", "author_customer_id", "customer", "id")));
        assertThat(walk.condition("customer", "id = :customer")).isEqualTo("id = :customer");
        assertThat(walk.condition("visit", "id = :customer"))
                .isEqualTo("(\"customer_id\") in (select \"id\" from customer where id = :customer)");
        assertThat(walk.condition("visit_note", "id = :customer"))
                .contains("(\"visit_id\") in (select \"id\" from visit where (\"customer_id\") in (select \"id\" from customer where id = :customer))")
                .contains("(\"author_customer_id\") in (select \"id\" from customer where id = :customer)")
                .contains(") or (");
    }

    @Test
    void aCycleOfKeysIsRefusedWithTheTablesNamed() {
        assertThatThrownBy(() -> new ForeignKeyWalk("customer", List.of(
                key("a", "customer_id", "customer", "id"),
                key("a", "b_id", "b", "id"),
                key("b", "a_id", "a", "id"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("form a cycle").hasMessageContaining("a").hasMessageContaining("b");
    }
}
