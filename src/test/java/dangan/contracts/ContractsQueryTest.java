package dangan.contracts;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("fast")
class ContractsQueryTest {

    @Test
    void sinceBecomesTheNamedBindParameterAtEachUse() {
        ContractsQuery q = ContractsQuery.parse(
                "select * from contracts where updated_at >= :#since or signed_at::timestamptz >= :#since order by updated_at");
        assertThat(q.sql())
                .isEqualTo("select * from contracts where updated_at >= :since or signed_at::timestamptz >= :since order by updated_at");
    }

    @Test
    void aQueryWithoutTheWatermarkOrWithAnotherParameterIsRefusedWithTheFix() {
        assertThatThrownBy(() -> ContractsQuery.parse("select * from contracts"))
                .hasMessageContaining("no :#since parameter").hasMessageContaining("updated_at >= :#since");
        assertThatThrownBy(() -> ContractsQuery.parse("select * from contracts where branch = :#branch and updated_at >= :#since"))
                .hasMessageContaining("unknown parameter ':#branch'");
        assertThatThrownBy(() -> ContractsQuery.parse(" "))
                .hasMessageContaining("DANGAN_CONTRACTS_QUERY");
    }
}
