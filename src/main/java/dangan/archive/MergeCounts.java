package dangan.archive;

/**
 * What the merge made of the staged lines of one ingest: each line counted exactly once as new,
 * updated, duplicate or review; {@code notApplied} counts the field changes held or refused.
 */
public record MergeCounts(int created, int updated, int duplicates, int review, int notApplied) {
}
