package dangan.mail;

import dangan.i18n.Messages;
import dangan.intake.IngestRun;
import dangan.intake.RowIssue;

import java.text.SimpleDateFormat;
import java.util.List;

/**
 * The reply a sender gets, in the configured language (bundle area {@code mail}): what became of the mail
 * text and of each attachment (counts), every rejected line and warning (line, column, value, reason; ID
 * numbers masked), and what to do.
 */
final class MailReply {

    private static final int MAX_ISSUES = 200;

    private MailReply() {
    }

    static String subject(Messages m, Letter letter, boolean failed) {
        String original = letter.subject().isEmpty() ? m.text("mail.reply.your-mail") : SafeText.oneLine(letter.subject(), 150);
        return m.text("mail.reply.subject", "subject", original, "failed", failed ? "yes" : "no");
    }

    static String text(Messages m, Letter letter, List<PartResult> results, List<String> problems, boolean failed) {
        StringBuilder t = new StringBuilder();
        t.append(m.text("mail.reply.intro", "subject", letter.subject().isEmpty() ? m.text("mail.reply.no-subject") : letter.subject(),
                "dated", letter.sent() == null ? "no" : "yes",
                "sent", letter.sent() == null ? "" : new SimpleDateFormat("yyyy-MM-dd HH:mm").format(letter.sent())));
        t.append("\n\n");
        if (!problems.isEmpty()) {
            t.append(m.text(failed ? "mail.reply.rejected" : "mail.reply.problems")).append('\n');
            for (String p : problems) t.append("  - ").append(p).append('\n');
            t.append('\n');
        }
        for (PartResult r : results) {
            t.append(capitalise(r.label())).append(m.text("mail.reply.label-end"));
            switch (r.kind()) {
                case FILED -> counts(m, t, r.run());
                case FAILED -> t.append(m.text("mail.reply.not-filed", "reason", r.reason())).append('\n');
                case IGNORED -> t.append(m.text("mail.reply.ignored", "reason", r.reason())).append('\n');
            }
            issues(m, t, r);
            t.append('\n');
        }
        boolean rejects = results.stream().anyMatch(r -> r.issues().stream().anyMatch(i -> i.severity() == RowIssue.Severity.REJECT));
        boolean warnings = results.stream().anyMatch(r -> r.issues().stream().anyMatch(i -> i.severity() == RowIssue.Severity.WARNING));
        if (failed) t.append(m.text("mail.reply.todo.failed")).append('\n');
        if (rejects) t.append(m.text("mail.reply.todo.rejects")).append('\n');
        if (warnings) t.append(m.text("mail.reply.todo.warnings")).append('\n');
        if (!failed && !rejects && !warnings) t.append(m.text("mail.reply.all-filed")).append('\n');
        t.append('\n').append(m.text("mail.reply.automatic")).append('\n');
        return t.toString();
    }

    private static void counts(Messages m, StringBuilder t, IngestRun run) {
        if (run.isDuplicateFile()) {
            t.append(m.text("mail.reply.duplicate", "earlier", run.duplicateOf())).append('\n');
            return;
        }
        t.append(m.text("mail.reply.counts", "lines", run.read(), "format", run.format(), "created", run.created(),
                "updated", run.updated(), "duplicates", run.duplicates(), "rejected", run.rejected(), "warnings", run.warnings()))
                .append('\n');
    }

    private static void issues(Messages m, StringBuilder t, PartResult r) {
        List<RowIssue> issues = r.issues();
        boolean body = r.label().equals(m.text("mail.part.body"));
        for (int i = 0; i < Math.min(issues.size(), MAX_ISSUES); i++) {
            RowIssue issue = issues.get(i);
            String value = issue.value() == null ? "" : SafeText.oneLine(issue.value(), 100);
            t.append("  ").append(m.text("mail.reply.issue", "outcome", issue.severity() == RowIssue.Severity.REJECT ? "reject" : "warning",
                    "line", body ? 0 : issue.lineNo(), "hasColumn", issue.column() == null ? "no" : "yes",
                    "column", issue.column() == null ? "" : issue.column(), "hasValue", value.isEmpty() ? "no" : "yes", "value", value,
                    "reason", issue.reason())).append('\n');
        }
        if (issues.size() > MAX_ISSUES) t.append("  ").append(m.text("mail.reply.more", "count", issues.size() - MAX_ISSUES)).append('\n');
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
