package dangan.tiers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.support.TestDatabase;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a business's first import the archive's statistics are those of an empty table (analysed before any customer
 * was filed, as autovacuum leaves it), and the planner takes customer for one row. The tiers listener then still reads
 * only the ingest's archives without a tier (the small {@code customer_untiered} index), never all of the archive: it
 * read all 1,000,000 archives to find none left to tier (issue 14, 0.4–0.6 s of the first import's ingest).
 */
@Tag("database")
class NewArchiveTiersPlanTest {

    @Test
    void theTiersOfAFirstImportReadOnlyTheArchivesLeftWithoutATier() throws Exception {
        Jdbi jdbi = TestDatabase.freshJdbi();
        // a first import that failed (rolled back), then vacuumed: an empty archive, its indexes' pages still there
        jdbi.useHandle(h -> {
            h.begin();
            firstImport(h, null);
            h.rollback();
            h.execute("vacuum (truncate false, analyze) customer");
        });
        List<String> scans = jdbi.inTransaction(h -> {
            long ingest = firstImport(h, "E");
            String plan = h.createQuery("explain (format json) " + NewArchiveTiers.TIERS)
                    .bind("thresholds", new BigDecimal[]{new BigDecimal(12), new BigDecimal(1200)}).bind("oopTier", "E")
                    .bind("lapsedVisits", 1).bind("ingest", ingest)
                    .bind("from", LocalDate.of(2025, 12, 1)).bind("until", LocalDate.of(2026, 12, 1))
                    .mapTo(String.class).one();
            List<String> found = new ArrayList<>();
            for (JsonNode node : new ObjectMapper().readTree(plan).findParents("Relation Name")) {
                if (!node.path("Node Type").asText().equals("ModifyTable")) {
                    found.add(node.path("Relation Name").asText() + " " + node.path("Alias").asText() + " " + node.path("Node Type").asText() + " "
                            + node.path("Index Name").asText("-") + " " + node.path("Index Cond").asText("-"));
                }
            }
            return found;
        });

        // the archives through the index of the untiered ones; their visits looked up by archive
        assertThat(scans).filteredOn(scan -> scan.startsWith("customer ")).hasSize(2)
                .allMatch(scan -> scan.contains(" customer_untiered (source_ingest_id = "), "read through customer_untiered");
        assertThat(scans).filteredOn(scan -> scan.startsWith("consumption ")).hasSize(1)
                .allMatch(scan -> scan.contains("(customer_id = n.id)"), "looked up by archive");
    }

    /** The first import: 20,000 archives, each with {@code tier} (null: none) but the seventh, left without one. */
    private static long firstImport(org.jdbi.v3.core.Handle h, String tier) {
        long ingest = h.createQuery("insert into ingest (source_type, channel, source_name, status)"
                + " values ('file', 'registrations', 'first.csv', 'running') returning id").mapTo(Long.class).one();
        h.createUpdate("insert into customer (archive_no, name, mobile, source_ingest_id, source_line, tier)"
                        + " select '2026' || lpad(i::text, 8, '0'), '客户' || i, '139' || lpad(i::text, 8, '0'), :ingest, i,"
                        + " case when i <> 7 then :tier end from generate_series(1, 20000) i")
                .bind("ingest", ingest).bind("tier", tier).execute();
        return ingest;
    }
}
