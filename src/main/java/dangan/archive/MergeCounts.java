package dangan.archive;

/** What the merge made of the staged lines of one ingest: each line counted exactly once. */
public record MergeCounts(int created, int updated, int duplicates, int conflicts) {

    public int total() {
        return created + updated + duplicates;
    }
}
