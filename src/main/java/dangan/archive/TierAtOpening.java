package dangan.archive;

import java.time.LocalDate;
import java.util.List;

/**
 * What the merge needs to give a new archive its tier (D-18) as it inserts the customer row,
 * instead of updating the row afterwards: the rules as {@code tier_for} takes them, the window, and
 * the intake columns that carry the flags. Built by the tiers flow from its rules; the merge only
 * uses it for an archive whose tier it can know at that point — one opened by the only line of
 * this ingest with its keys, so its visits in the window can only be that line's.
 *
 * @param thresholds         tier_for's thresholds array, psql array text
 * @param outOfProvinceTier  tier_for's out-of-province tier (null: no rule)
 * @param lapsedVisits       tier_for's "hardly came back" visits (null: no rule)
 * @param windowFrom         first day of the window
 * @param windowUntil        the day after the window (exclusive)
 * @param flagColumns        per flag (key decision-maker, important organisation, out-of-province), the columns
 * @param yesValues          values (lower case) that set a flag
 */
public record TierAtOpening(String thresholds, String outOfProvinceTier, Integer lapsedVisits, LocalDate windowFrom,
                            LocalDate windowUntil, List<List<String>> flagColumns, List<String> yesValues) {
}
