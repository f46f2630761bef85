package dangan.tiers;

import dangan.archive.TierAtOpening;
import dangan.intake.IngestRun;
import dangan.intake.MergeListener;
import org.jdbi.v3.core.Handle;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * D-18 for a new archive, in the merge's own transaction. An archive opened by a line alone in its
 * ingest gets its flags and tier as the merge inserts it ({@link #atOpening}: no second version of
 * the row); the other archives an ingest opened (tier still null) get their flags from the
 * configured intake columns and then their tier from the last 12 months here, after the merge —
 * set-based, two statements per ingest whatever its size. Both use the same window, fixed when the
 * merge begins, and the same rules (tier_for with this flow's {@link TierRules}). Existing archives
 * keep their tier: only the annual review (with a manager's approval) changes one.
 */
public final class NewArchiveTiers implements MergeListener {

    private static final String FLAGS = """
            update customer c
               set key_decision_maker = c.key_decision_maker or intake_flag(c.extra, :kdm_columns, :yes_values),
                   important_organisation = c.important_organisation or intake_flag(c.extra, :org_columns, :yes_values),
                   out_of_province = c.out_of_province or intake_flag(c.extra, :oop_columns, :yes_values)
             where c.source_ingest_id = :ingest and c.tier is null and jsonb_exists_any(c.extra, :all_columns)""";

    /**
     * The archives of the ingest still without a tier (the small {@code customer_untiered} index), each with its visits in
     * the window looked up by its id. Each side of the statement is named by the ingest and the null tier, so no plan
     * reads the whole archive: with the statistics of an archive that was empty when last vacuumed (a first import after
     * a check or a failed filing of the same file, which were rolled back) the planner took customer for one row, read all
     * of it and looked each row up in that index (issue 14: 0.4–0.6 s after 1,000,000 archives tiered at opening, with
     * nothing left to tier).
     */
    static final String TIERS = """
            update customer c
               set tier = tier_for(f.visits, f.spend, c.key_decision_maker, c.important_organisation, c.out_of_province, null,
                                   :thresholds::numeric[], :oopTier, :lapsedVisits)
              from customer n
              cross join lateral (
                    select count(*) as visits, coalesce(sum(x.amount), 0) as spend from consumption x
                    where x.customer_id = n.id and x.visit_date >= :from and x.visit_date < :until) f
             where n.source_ingest_id = :ingest and n.tier is null and c.id = n.id
               and c.source_ingest_id = :ingest and c.tier is null""";

    private final TierRules rules;
    private final ZoneId zone;
    private final Clock clock;
    /** The window end handed to the merge of an ingest (atOpening), until its listener call. */
    private final Map<Long, LocalDate> windows = new ConcurrentHashMap<>();

    public NewArchiveTiers(TierRules rules, ZoneId zone, Clock clock) {
        this.rules = rules;
        this.zone = zone;
        this.clock = clock;
    }

    /**
     * The rules for the merge to tier the archives it can as it opens them; called when the merge
     * of {@code ingestId} begins. The window ends with today: today's visits count.
     */
    public TierAtOpening atOpening(long ingestId) {
        LocalDate until = LocalDate.now(clock.withZone(zone)).plusDays(1);
        windows.values().removeIf(day -> day.isBefore(until.minusDays(1))); // of merges that failed: never asked for
        windows.put(ingestId, until);
        Map<String, List<String>> columns = rules.flagColumns();
        return new TierAtOpening(rules.thresholds(), rules.outOfProvinceTier(), rules.lapsedVisits(),
                until.minusMonths(rules.windowMonths()), until,
                List.of(columns.get("key-decision-maker"), columns.get("important-organisation"), columns.get("out-of-province")),
                rules.yesValues());
    }

    @Override
    public void merged(Handle h, IngestRun run) {
        LocalDate pinned = windows.remove(run.id());
        if (run.created() == 0) return;
        setFlags(h, run.id());
        // the window ends with today (the day the merge began, when it told the merge): today's visits count
        LocalDate until = pinned != null ? pinned : LocalDate.now(clock.withZone(zone)).plusDays(1);
        h.createUpdate(TIERS)
                .bind("thresholds", rules.thresholds()).bind("oopTier", rules.outOfProvinceTier())
                .bind("lapsedVisits", rules.lapsedVisits()).bind("ingest", run.id())
                .bind("from", until.minusMonths(rules.windowMonths())).bind("until", until)
                .execute();
    }

    private void setFlags(Handle h, long ingestId) {
        Map<String, List<String>> columns = rules.flagColumns();
        List<String> all = columns.values().stream().flatMap(List::stream).toList();
        if (all.isEmpty()) return;
        h.createUpdate(FLAGS)
                .bindArray("kdm_columns", String.class, columns.get("key-decision-maker"))
                .bindArray("org_columns", String.class, columns.get("important-organisation"))
                .bindArray("oop_columns", String.class, columns.get("out-of-province"))
                .bindArray("yes_values", String.class, rules.yesValues())
                .bindArray("all_columns", String.class, all)
                .bind("ingest", ingestId)
                .execute();
    }
}
