package dangan.archive;

import dangan.faults.FaultPoint;
import dangan.store.SqlScript;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one merge step every source ends in: staged canonical rows ({@code intake_row}) of one
 * ingest become archives, set-based in SQL, inside the caller's transaction.
 * <ol>
 *   <li>Match (D-15): a row belongs to the archive holding its ID number, else its mobile, else its email —
 *       or to the archive of an earlier line of the same file sharing one of those.</li>
 *   <li>Open: among rows still unmatched, the first row of each customer opens a new archive, numbered
 *       per D-14 in line order; later rows of the same customer then match it. Repeated until every
 *       row has its archive.</li>
 *   <li>Update: the other rows are applied in line order, one round per rank within an archive;
 *       each changed field goes to the change register with the line that changed it (D-27).
 *       A change that contradicts the customer's identity (name, gender, birth date, ID number), or
 *       any change from a low-trust source, waits in {@code pending_change} for a person (D-13, D-16);
 *       an identifier that already belongs to another archive is not moved. Warnings say so.</li>
 *   <li>Facts: visits, preferences, health, special dates, companions are added once each; a
 *       contract is one fact per contract number, updated (and its change logged) when its terms change.</li>
 *   <li>Outcome: a row that opened an archive is new; one with a change waiting for review is
 *       review; one that changed or added anything is an update; the rest are duplicates.</li>
 * </ol>
 * Merges are serialised across threads and instances by the {@link ArchiveLock}. Each step is one
 * set-based statement in {@code src/main/resources/sql/merge/} (runnable in psql, see its README).
 */
public final class ArchiveMerge {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveMerge.class);
    private static final int MAX_PASSES = 10_000;

    private static final SqlScript MATCH = step("match");
    private static final SqlScript OPEN = step("open-archives");
    /** Opening when every line is alone: no line matched, no two share a key (MergeOptions.linesAlone). */
    private static final SqlScript OPEN_ALONE = step("open-alone");
    private static final SqlScript HOLD_SEALED = step("hold-sealed");
    private static final SqlScript RECORD_CONSENTS = step("record-consents");
    private static final SqlScript RANK_UPDATES = step("rank-updates");
    private static final SqlScript UPDATE_ROUND = step("update-round");
    private static final SqlScript HOLD_FOR_REVIEW = step("hold-for-review");
    private static final SqlScript WARN_NOT_APPLIED = step("warn-not-applied");
    private static final SqlScript HOLD_HEALTH_WITHOUT_CONSENT = step("hold-health-without-consent");
    private static final SqlScript DROP_HELD_HEALTH = step("drop-held-health");
    /**
     * The fact steps, in order, each run only when some staged row carries its kind of fact. Most are run twice: first for
     * the lines that opened their archive in this merge, without the step's on-conflict clause (such an archive has no
     * fact yet, and one line's rows never share a key), then for the other lines as the file is written — only when there
     * are any. A customer's later lines of the same file are among the others: a fact the opening line filed is not
     * filed again. A contract (updated when its terms change) and the lunar birthday (the file's last line wins) are
     * filed once for all lines.
     */
    private static final List<FactStep> ADD_FACTS = List.of(
            FactStep.twice("visits", Staged::visits), FactStep.once("contracts", Staged::contracts),
            FactStep.twice("preferences", Staged::preferences), FactStep.twice("health", Staged::health),
            FactStep.twice("special-dates", Staged::specialDates), FactStep.once("lunar-birthdays", Staged::lunarBirthdays),
            FactStep.twice("companions", Staged::companions));
    private static final SqlScript HOLD_ID_WITHOUT_CONSENT = step("hold-id-without-consent");
    private static final SqlScript HOLD_SENSITIVE_COLUMNS = step("hold-sensitive-columns");
    private static final SqlScript FILE_KEYS = step("file-keys");
    private static final SqlScript SETTLE_OUTCOMES = step("settle-outcomes");
    private static final SqlScript HOLD_NEW_ARCHIVES = step("hold-new-archives");

    /** The staging tables, as the merge analyses them: the columns its steps filter, join and group on. */
    private static final String STAGED_ROWS = "intake_row (ingest_id, line_no, customer_id, merge_round, outcome, mobile, email,"
            + " id_hash, contract_no, visit_date)";
    private static final String STAGED_CHANGES = "intake_change (ingest_id, line_no, customer_id, field, disposition)";
    /** The last update round: the highest ranked one, or the first when a matched line is in none (merge_round null: match.sql). */
    private static final String MAX_ROUND = "select greatest(coalesce(max(merge_round), 0),"
            + " max(case when merge_round is null and outcome is null and customer_id is not null then 1 else 0 end))"
            + " from intake_row where ingest_id = :ingest_id";
    /**
     * The changes that wait (held, refused) of a file whose every line opened an archive (nothing to settle): its lines'
     * outcomes are the archives opened (new), or held with them (review). Neither needs a read of the staged lines
     * (issue 14: that read, and the one for the last round, cost 0.4 s at 1,000,000 lines).
     */
    private static final String NOT_APPLIED = "select count(*) from intake_change where ingest_id = :ingest_id and disposition <> 'apply'";
    /** Whether an archive is met by more than one line still to merge: only then are rounds ranked (rank-updates.sql). */
    private static final String MET_TWICE = """
            select exists (select from intake_row where ingest_id = :ingest_id and outcome is null
                           group by customer_id having count(*) > 1)""";
    /**
     * What the staged rows hold, in one scan: how many still lack an archive, how many there are, and which
     * kinds of facts any of them carries. A step whose rows are absent (no line with a preference, no
     * matched line to settle) is not run: each step reads every staged row, and a file of 1,000,000 new
     * customers with a visit each read them a dozen times for steps that had nothing to do.
     */
    private static final String STAGED = """
            select count(*) filter (where customer_id is null) as unmatched, count(*) as staged,
                   min(line_no) as first_line, max(line_no) as last_line,
                   bool_or(consent_service is not null or consent_contact is not null or consent_marketing is not null
                           or consent_sensitive is not null) as consents,
                   bool_or(visit_date is not null or amount is not null or service is not null) as visits,
                   bool_or(contract_no is not null) as contracts,
                   bool_or(pref_room is not null or pref_dining is not null or pref_other is not null) as preferences,
                   bool_or(allergy_enc is not null or health_enc is not null) as health,
                   bool_or(anniversary is not null) as special_dates,
                   bool_or(lunar_month is not null) as lunar_birthdays,
                   bool_or(companions is not null or referrer is not null) as companions,
                   bool_or(id_enc is not null) as id_numbers,
                   bool_or(key_id is not null) as data_keys,
                   bool_or(held is not null) as held
            from intake_row where ingest_id = :ingest_id""";
    /** No archive yet (the first import of a business's customers): matching the staged lines can find nothing. */
    private static final String NO_ARCHIVE = "select not exists (select from customer)";
    private static final String CLEAR_STAGING = "delete from intake_row where ingest_id = :ingest_id";
    private static final String CLEAR_CHANGES = "delete from intake_change where ingest_id = :ingest_id";

    /**
     * How the merge's transaction is set (the benchmarks' floors run in a session set the same way).
     * {@code work_mem}: the window sorts, hash joins and aggregates of a large file stay in memory — at 1,000,000
     * changed lines the update round's changes, their grouping by line and the archive's hash spilled to disk
     * at 128 MB (issue 14); one merge runs at a time (the archive lock). {@code random_page_cost}: the archive's
     * indexes are read from memory or SSD, not a spinning disk — with the default (4.0) the planner scanned and
     * hashed all 1,000,000 archives (and every page the staging table ever had) to look up the archives of
     * 10,000 lines, which their unique indexes find one by one in a fraction of the time.
     */
    public static final List<String> SESSION = List.of("set local work_mem = '256MB'", "set local random_page_cost = 1.1");

    private ArchiveMerge() {
    }

    private static SqlScript step(String name) {
        return SqlScript.load("merge/" + name);
    }

    /**
     * Merges the staged rows of an ingest into the archive and clears them from staging.
     * Runs in the caller's transaction: nothing is visible until it commits.
     */
    public static MergeCounts merge(Handle h, long ingestId, MergeOptions options) {
        return merge(h, ingestId, options, null);
    }

    /** Sees the plan of each step just before it runs (a test's look at the merge). */
    @FunctionalInterface
    interface PlanWatch {
        /** @param plan the step's plan as {@code explain (format json)} prints it */
        void plan(String step, String plan);
    }

    /** As {@link #merge(Handle, long, MergeOptions)}; when {@code watch} is not null it sees each step's plan first. */
    static MergeCounts merge(Handle h, long ingestId, MergeOptions options, PlanWatch watch) {
        long started = System.nanoTime();
        TierAtOpening tiers = options.tiersAtOpening();
        ArchiveLock.hold(h);
        SESSION.forEach(h::execute);
        Map<String, Object> p = new HashMap<>();
        p.put("ingest_id", ingestId);
        p.put("period", ArchiveNumbers.period(options.openedIn()));
        p.put("low_trust", options.lowTrust());
        p.put("reason", options.reason());
        p.put("confirmed_today", options.today());
        // a check reads each staged line's outcome and change; a filing counts the outcomes and stages only the changes that wait
        p.put("keep_staging", options.keepStaging());
        p.putAll(tierParameters(tiers));
        int passes = 0;
        int opened;
        Staged staged = h.createQuery(STAGED).bind("ingest_id", ingestId).map((rs, ctx) -> new Staged(rs.getLong("unmatched"),
                rs.getLong("staged"), rs.getLong("first_line"), rs.getLong("last_line"), rs.getBoolean("consents"), rs.getBoolean("visits"), rs.getBoolean("contracts"),
                rs.getBoolean("preferences"), rs.getBoolean("health"), rs.getBoolean("special_dates"),
                rs.getBoolean("lunar_birthdays"), rs.getBoolean("companions"), rs.getBoolean("id_numbers"),
                rs.getBoolean("data_keys"), rs.getBoolean("held"))).one();
        // rows without an archive yet: once none is left, another pass of matching or opening has nothing to do
        long unmatched = staged.unmatched();
        long openedInAll = 0;
        analyse(h, STAGED_ROWS);
        // no archive and no staged line matched yet: the first pass of matching would look every line up in vain
        // (issue 14: 3 s for 1,000,000 lines); the lines that share a key with one that opens an archive match it after
        boolean mayMatch = unmatched < staged.rows() || !h.createQuery(NO_ARCHIVE).mapTo(Boolean.class).one();
        do {
            int matched;
            while (unmatched > 0 && mayMatch && (matched = run(h, MATCH, p, watch)) > 0) {
                unmatched -= matched;
                passes++;
            }
            opened = unmatched > 0 ? open(h, staged, unmatched, options, p, watch) : 0;
            mayMatch = true;
            unmatched -= opened;
            openedInAll += opened;
            if (++passes > MAX_PASSES) {
                throw new IllegalStateException("ingest " + ingestId + ": rows still unmatched after " + MAX_PASSES + " passes");
            }
            if (opened > 0) analyse(h, STAGED_ROWS); // the rows have their archives now: the next steps join on them
        } while (opened > 0 && unmatched > 0);

        // every line opened an archive (outcome new): no line is left to hold, rank, update or settle
        boolean matchedAny = openedInAll < staged.rows();
        int sealed = matchedAny ? run(h, HOLD_SEALED, p, watch) : 0;
        if (staged.consents()) run(h, RECORD_CONSENTS, p, watch);
        if (matchedAny) {
            // matching left every line in the first round; ranking sorts every line by its archive, which only an archive
            // met twice needs (at 1,000,000 lines the sort and its join cost seconds to change nothing)
            if (h.createQuery(MET_TWICE).bind("ingest_id", ingestId).mapTo(Boolean.class).one()) run(h, RANK_UPDATES, p, watch);
            analyse(h, STAGED_ROWS);
        }
        // every line opened an archive: no line is left for an update round
        int rounds = matchedAny ? h.createQuery(MAX_ROUND).bind("ingest_id", ingestId).mapTo(Integer.class).one() : 0;
        for (int round = 1; round <= rounds; round++) {
            p.put("round", round);
            run(h, UPDATE_ROUND, p, watch); // classified, staged, registered and applied in one statement
            if (round == 1) analyse(h, STAGED_CHANGES); // the later rounds are the rare lines of a customer met again
            run(h, HOLD_FOR_REVIEW, p, watch);
            run(h, WARN_NOT_APPLIED, p, watch);
        }
        if (options.strictConsent() && staged.health()) {
            run(h, HOLD_HEALTH_WITHOUT_CONSENT, p, watch);
            run(h, DROP_HELD_HEALTH, p, watch);
        }
        for (FactStep facts : ADD_FACTS) {
            if (!facts.carried().test(staged)) continue;
            if (facts.opened() == null) {
                run(h, facts.all(), p, watch);
                continue;
            }
            p.put("opened", true);
            if (openedInAll > 0) run(h, facts.opened(), p, watch);
            p.put("opened", false);
            if (matchedAny) run(h, facts.all(), p, watch); // every line opened its archive: each line's facts are filed
        }
        if (options.strictConsent() && staged.idNumbers()) {
            run(h, HOLD_ID_WITHOUT_CONSENT, p, watch);
        }
        if (staged.held()) run(h, HOLD_SENSITIVE_COLUMNS, p, watch);
        if (staged.dataKeys()) run(h, FILE_KEYS, p, watch);
        // the lines that opened archives (outcome review from new): settling counts the others
        int heldOpened = options.lowTrust() ? run(h, HOLD_NEW_ARCHIVES, p, watch) : 0;
        RowMapper<MergeCounts> outcomes = (rs, ctx) -> new MergeCounts(rs.getInt("created"), rs.getInt("updated"),
                rs.getInt("duplicates"), rs.getInt("review"), rs.getInt("not_applied") + sealed);
        // every line opened an archive: each has its outcome already (new, or review from a low-trust source)
        MergeCounts counts = matchedAny ? step(h, SETTLE_OUTCOMES, p, watch, () -> SETTLE_OUTCOMES.query(h, p).map(outcomes).one())
                : new MergeCounts(Math.toIntExact(openedInAll - heldOpened), 0, 0, heldOpened,
                        h.createQuery(NOT_APPLIED).bind("ingest_id", ingestId).mapTo(Integer.class).one());
        MergeTexts.say(h, ingestId, options.messages()); // the warnings and reasons the steps wrote as keys, in words
        if (!options.keepStaging()) clearStaging(h, ingestId);
        LOG.debug("ingest {} merged in {} ms ({} match/open passes, {} update rounds)", ingestId,
                (System.nanoTime() - started) / 1_000_000, passes, rounds);
        return counts;
    }

    /**
     * Opens archives for the lines still unmatched. When every staged line is alone — none matched a known archive, the
     * staging saw no two share a key ({@link MergeOptions#linesAlone()}) and the line numbers it skipped account for every
     * gap between the first and the last — each opens its own, numbered by its place among the staged lines
     * (open-alone.sql: no grouping of the keys, no sort); else open-archives.sql.
     */
    private static int open(Handle h, Staged staged, long unmatched, MergeOptions options, Map<String, Object> p, PlanWatch watch) {
        LinesAlone lines = options.linesAlone();
        boolean alone = lines != null && unmatched == staged.rows()
                && staged.lastLine() - staged.firstLine() + 1 == staged.rows() + lines.gaps().length;
        if (!alone) return run(h, OPEN, p, watch);
        p.put("opening", unmatched);
        p.put("first_line", staged.firstLine());
        p.put("gaps", Arrays.stream(lines.gaps()).boxed().toArray(Integer[]::new));
        int opened = run(h, OPEN_ALONE, p, watch);
        if (opened != unmatched) { // as many archives as numbers reserved, or none at all
            throw new IllegalStateException(opened + " archives opened for " + unmatched + " lines alone");
        }
        return opened;
    }

    /** What {@link #STAGED} found: the counts, the first and last line, and whether any staged row carries each kind of fact. */
    private record Staged(long unmatched, long rows, long firstLine, long lastLine, boolean consents, boolean visits, boolean contracts, boolean preferences,
                          boolean health, boolean specialDates, boolean lunarBirthdays, boolean companions,
                          boolean idNumbers, boolean dataKeys, boolean held) {
    }

    /**
     * A fact step: {@code add-KIND.sql} for every line ({@code opened} false: the lines that did not open their archive,
     * when run twice), and for the lines that did, the same statement without its on-conflict clause
     * ({@code add-new-KIND}, {@code opened} true) — or none, when the step files every line's at once.
     */
    private record FactStep(SqlScript all, SqlScript opened, Predicate<Staged> carried) {
        static FactStep twice(String kind, Predicate<Staged> carried) {
            SqlScript all = step("add-" + kind);
            return new FactStep(all, all.withoutConflictClause("merge/add-new-" + kind), carried);
        }

        static FactStep once(String kind, Predicate<Staged> carried) {
            return new FactStep(step("add-" + kind), null, carried);
        }
    }

    /** The parameters of open-archives.sql: tier_for's rules, the window, the flag columns (none without tiers). */
    private static Map<String, Object> tierParameters(TierAtOpening tiers) {
        Map<String, Object> p = new HashMap<>();
        p.put("tiers", tiers != null);
        String[] flags = {"kdm_columns", "org_columns", "oop_columns"}; // the order of TierAtOpening.flagColumns
        if (tiers == null) {
            p.put("thresholds", new BigDecimal[0]);
            p.put("oop_tier", "");
            p.put("lapsed_visits", "");
            p.put("window_from", null);
            p.put("window_until", null);
            for (String flag : flags) p.put(flag, new String[0]);
            p.put("yes_values", new String[0]);
            return p;
        }
        // an array, not text: not parsed again for every row
        p.put("thresholds", Arrays.stream(tiers.thresholds().replaceAll("[{}]", "").split(","))
                .map(String::strip).map(BigDecimal::new).toArray(BigDecimal[]::new));
        p.put("oop_tier", tiers.outOfProvinceTier() == null ? "" : tiers.outOfProvinceTier());
        p.put("lapsed_visits", tiers.lapsedVisits() == null ? "" : tiers.lapsedVisits().toString());
        p.put("window_from", tiers.windowFrom());
        p.put("window_until", tiers.windowUntil());
        for (int i = 0; i < flags.length; i++) {
            p.put(flags[i], tiers.flagColumns().get(i).toArray(String[]::new));
        }
        p.put("yes_values", tiers.yesValues().toArray(String[]::new));
        return p;
    }

    /**
     * Gives the planner the true size and shape of this ingest's staged rows, seen from inside the
     * transaction that wrote them (an ANALYZE of the same transaction counts its own uncommitted rows).
     * Without it the plans depend on whatever statistics the table last had — never analysed, or frozen
     * at reltuples = 0 by an ANALYZE of another session (autovacuum's too) that ran while the rows were
     * uncommitted, with which the merge chose nested loops re-reading every staged row for every staged
     * row (issue 14: 10,000 changed lines took 105 s). The ANALYZE's lock is then held until this
     * transaction ends, so no other session's ANALYZE of the table can undo it before the merge commits.
     */
    private static void analyse(Handle h, String table) {
        long started = System.nanoTime();
        h.execute("analyze " + table);
        if (LOG.isDebugEnabled()) LOG.debug("{} ms: analyze {}", (System.nanoTime() - started) / 1_000_000, table);
    }

    /**
     * Clears the ingest's staged rows. When no other session has the staging tables in hand (no other
     * ingest is staging or merging) they are truncated, so they shrink back to nothing: deleted rows
     * leave their pages behind until a vacuum, and every later merge read them all again — after a
     * 1,000,000-line file, 270 MB of dead rows under each step of the next day's 1,000-line file. Otherwise
     * (the lock is not to be had at once) only this ingest's rows are deleted, as before. Truncating
     * takes nothing of anyone else's: an ingest holds its lock on the tables until it commits.
     */
    private static void clearStaging(Handle h, long ingestId) {
        h.execute("savepoint clear_staging");
        try {
            h.execute("lock table intake_row, intake_change in access exclusive mode nowait");
            h.execute("truncate intake_row, intake_change");
            h.execute("release savepoint clear_staging");
            LOG.debug("ingest {}: staging truncated", ingestId);
        } catch (JdbiException e) {
            h.execute("rollback to savepoint clear_staging");
            h.execute("release savepoint clear_staging");
            h.createUpdate(CLEAR_STAGING).bind("ingest_id", ingestId).execute();
            h.createUpdate(CLEAR_CHANGES).bind("ingest_id", ingestId).execute();
            LOG.debug("ingest {}: staging in use by another session ({}); its rows deleted", ingestId, e.getMessage());
        }
    }

    /** Runs a step; returns the number of rows it changed. */
    private static int run(Handle h, SqlScript step, Map<String, ?> parameters, PlanWatch watch) {
        return Math.max(step(h, step, parameters, watch, () -> step.update(h, parameters).execute()), 0);
    }

    /** Runs a step (its plan seen first when watched, its fault point reached, its time logged); returns what it answers. */
    private static <T> T step(Handle h, SqlScript step, Map<String, ?> parameters, PlanWatch watch, Supplier<T> work) {
        if (watch != null) watch.plan(step.name(), step.explain(h, parameters));
        FaultPoint.reach("merge:" + step.name().substring(step.name().lastIndexOf('/') + 1));
        long started = System.nanoTime();
        T answer = work.get();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} ms, {} rows: {}", (System.nanoTime() - started) / 1_000_000, answer, step.name());
        }
        return answer;
    }
}
