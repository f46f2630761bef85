package dangan.mail;

import dangan.intake.IngestRun;
import dangan.intake.RowIssue;

import java.util.List;

/**
 * What became of one part of a mail — its body or one attachment: filed (with the run's counts
 * and the line issues to list in the reply), refused or failed as a whole (with the reason), or
 * not read because it is not a spreadsheet.
 */
record PartResult(String label, Kind kind, IngestRun run, List<RowIssue> issues, String reason) {

    enum Kind { FILED, FAILED, IGNORED }

    static PartResult filed(String label, IngestRun run, List<RowIssue> issues) {
        return new PartResult(label, Kind.FILED, run, issues, null);
    }

    static PartResult failed(String label, String reason) {
        return new PartResult(label, Kind.FAILED, null, List.of(), reason);
    }

    static PartResult ignored(String label, String reason) {
        return new PartResult(label, Kind.IGNORED, null, List.of(), reason);
    }

    boolean failed() {
        return kind == Kind.FAILED;
    }
}
