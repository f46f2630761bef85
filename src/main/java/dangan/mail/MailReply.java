package dangan.mail;

import dangan.intake.IngestRun;
import dangan.intake.RowIssue;

import java.text.SimpleDateFormat;
import java.util.List;

/**
 * The reply a sender gets: what became of the mail text and of each attachment (counts), every
 * rejected line and warning (line, column, value, reason; ID numbers masked), and what to do.
 */
final class MailReply {

    static final String NO_CONTENT = "the mail has no customer details Dangan can read: no 'field: value' lines"
            + " (姓名: 张三 / 手机: 13800138000 / 偏好: 靠窗座位, one per line) and no CSV or XLSX attachment";
    static final String BODY_NOT_A_RECORD = "the mail text has 'field: value' lines but no 姓名 (name) line together with a"
            + " 手机 (mobile), 身份证号 (ID number) or 邮箱 (email) line, so the customer cannot be identified;"
            + " write one field per line, e.g. 姓名: 张三 / 手机: 13800138000";
    private static final int MAX_ISSUES = 200;

    private MailReply() {
    }

    static String subject(Letter letter, boolean failed) {
        String original = letter.subject().isEmpty() ? "your mail" : letter.subject();
        return "Re: " + SafeText.oneLine(original, 150) + (failed ? " — Dangan: not (fully) filed" : " — Dangan: filed");
    }

    static String text(Letter letter, List<PartResult> results, List<String> problems, boolean failed) {
        StringBuilder t = new StringBuilder();
        t.append("Dangan, the customer archive, has read your mail \"")
                .append(letter.subject().isEmpty() ? "(no subject)" : letter.subject()).append('"');
        if (letter.sent() != null) t.append(" of ").append(new SimpleDateFormat("yyyy-MM-dd HH:mm").format(letter.sent()));
        t.append(".\n\n");
        if (!problems.isEmpty()) {
            t.append(failed ? "The mail was rejected:\n" : "Problems:\n");
            for (String p : problems) t.append("  - ").append(p).append('\n');
            t.append('\n');
        }
        for (PartResult r : results) {
            t.append(capitalise(r.label())).append(": ");
            switch (r.kind()) {
                case FILED -> counts(t, r.run());
                case FAILED -> t.append("not filed — ").append(r.reason()).append(".\n");
                case IGNORED -> t.append(r.reason()).append(".\n");
            }
            issues(t, r);
            t.append('\n');
        }
        boolean rejects = results.stream().anyMatch(r -> r.issues().stream().anyMatch(i -> i.severity() == RowIssue.Severity.REJECT));
        boolean warnings = results.stream().anyMatch(r -> r.issues().stream().anyMatch(i -> i.severity() == RowIssue.Severity.WARNING));
        if (failed) {
            t.append("What to do: correct what is listed above and send the mail again. This mail is kept unchanged in the"
                    + " mailbox's folder for failed mail.\n");
        }
        if (rejects) {
            t.append("Rejected lines are not in the archive: correct them and send them again (only those lines are needed).\n");
        }
        if (warnings) t.append("Lines with warnings were filed without the value named.\n");
        if (!failed && !rejects && !warnings) t.append("Everything was filed.\n");
        t.append("\nThis is an automatic reply.\n");
        return t.toString();
    }

    private static void counts(StringBuilder t, IngestRun run) {
        if (run.isDuplicateFile()) {
            t.append("same content as ").append(run.duplicateOf()).append(" — already in the archive, nothing changed.\n");
            return;
        }
        t.append(run.read()).append(run.read() == 1 ? " line" : " lines").append(" (").append(run.format()).append(") — new ")
                .append(run.created()).append(", updated ").append(run.updated()).append(", duplicates ").append(run.duplicates())
                .append(", rejected ").append(run.rejected()).append(", warnings ").append(run.warnings()).append(".\n");
    }

    private static void issues(StringBuilder t, PartResult r) {
        List<RowIssue> issues = r.issues();
        boolean body = r.label().equals("mail text");
        for (int i = 0; i < Math.min(issues.size(), MAX_ISSUES); i++) {
            RowIssue issue = issues.get(i);
            t.append("  ").append(issue.severity() == RowIssue.Severity.REJECT ? "rejected" : "warning");
            if (!body) t.append(", line ").append(issue.lineNo());
            if (issue.column() != null) t.append(", ").append(issue.column());
            if (issue.value() != null && !issue.value().isEmpty()) t.append(" '").append(SafeText.oneLine(issue.value(), 100)).append('\'');
            t.append(": ").append(issue.reason()).append('\n');
        }
        if (issues.size() > MAX_ISSUES) t.append("  … and ").append(issues.size() - MAX_ISSUES).append(" more.\n");
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
