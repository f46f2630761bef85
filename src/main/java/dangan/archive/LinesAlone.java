package dangan.archive;

/**
 * What the staging saw of a file whose lines may each open an archive of their own: no two of its lines share a key
 * (mobile, email, ID number), and these line numbers, between the first and the last line staged, were not staged
 * (rejected or blank), in ascending order. When no line matches a known archive either, the merge opens each line's
 * archive directly, numbered by its place among the staged lines (open-alone.sql) — no grouping of the keys, no sort.
 *
 * @param gaps the line numbers skipped between staged lines, ascending
 */
public record LinesAlone(int[] gaps) {
}
