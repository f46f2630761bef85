package dangan.intake;

import dangan.i18n.Messages;

/** One file, message or poll going through intake: its ledger entry and, when done, what became of its lines. */
public final class IngestRun {

    private final long id;
    private final String channel;
    private final String name;
    private final long startedNanos = System.nanoTime();
    private final String duplicateOf;
    private int read;
    private int created;
    private int updated;
    private int duplicates;
    private int review;
    private int rejected;
    private int warnings;
    private String format;
    private boolean reportDue;

    /** The source's size in bytes (0 when unknown: a query, a mail body). */
    private final long size;

    IngestRun(long id, String channel, String name, String duplicateOf, long size) {
        this.id = id;
        this.channel = channel;
        this.name = name;
        this.duplicateOf = duplicateOf;
        this.size = size;
    }

    /** The source's size in bytes, as the ledger has it (0 when unknown). */
    public long size() { return size; }

    public long id() { return id; }
    /** The file name, message or poll this run is about, as reports and logs name it. */
    public String name() { return name; }

    /** When the same content was ingested before: which earlier ingest (name and time); else null. */
    public String duplicateOf() { return duplicateOf; }
    public boolean isDuplicateFile() { return duplicateOf != null; }

    public int read() { return read; }
    public int created() { return created; }
    public int updated() { return updated; }
    public int duplicates() { return duplicates; }
    public int review() { return review; }
    public String channel() { return channel; }
    public int rejected() { return rejected; }
    public int warnings() { return warnings; }
    public String format() { return format; }

    void format(String format) { this.format = format; }

    /** Whether a reject report is written for this run (a dropped file): the ledger keeps it pending until it is. */
    public boolean reportDue() { return reportDue; }
    void reportDue(boolean due) { this.reportDue = due; }

    void counts(int read, int created, int updated, int duplicates, int review, int rejected, int warnings) {
        this.read = read;
        this.created = created;
        this.updated = updated;
        this.duplicates = duplicates;
        this.review = review;
        this.rejected = rejected;
        this.warnings = warnings;
    }

    public long elapsedMillis() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** The counts reconcile: every data line is exactly one of new, updated, duplicate, review, rejected. */
    public boolean reconciles() {
        return read == created + updated + duplicates + review + rejected;
    }

    /** The one log line per file, as people read it ({@code ingest.run.summary}, {@code ingest.run.duplicate}). */
    public String summary(Messages m) {
        if (isDuplicateFile()) return m.text("ingest.run.duplicate", "file", name, "earlier", duplicateOf);
        return m.text("ingest.run.summary", "file", name, "format", String.valueOf(format), "read", read, "created", created,
                "updated", updated, "duplicates", duplicates, "review", review, "rejected", rejected, "warnings", warnings,
                "seconds", elapsedMillis() / 1000.0);
    }
}
