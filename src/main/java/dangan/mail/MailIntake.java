package dangan.mail;

import dangan.i18n.Messages;

import dangan.intake.ArchiveIntake;
import dangan.intake.ColumnMap;
import dangan.intake.Field;
import dangan.intake.IngestRun;
import dangan.intake.IntakeTally;
import dangan.intake.SpreadsheetIntake;
import dangan.intake.read.ReadLimits;
import dangan.intake.read.ReadSummary;
import dangan.intake.read.SpreadsheetReader;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.StoreClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Guest-history mails (D-12): {@link #handle} files the mail's body lines and CSV/XLSX attachments
 * through the shared {@link ArchiveIntake} (one ingest for the body, one per attachment) and writes
 * the reply to the sender ({@link MailPoll} runs it for each mail of a batch). Problems with the mail itself (no usable content, an oversized
 * attachment, a name with folder parts, an unknown character set) never throw: the sender is told
 * why and the mail moves to the failed folder. Only trouble reaching the database or the mail
 * server throws, so the consumer leaves the mail in the inbox and tries it again.
 */
final class MailIntake {

    private static final Logger LOG = LoggerFactory.getLogger(MailIntake.class);
    private static final Set<String> SPREADSHEET_EXTENSIONS = Set.of("csv", "txt", "tsv", "xlsx", "xls");
    private static final Set<String> SPREADSHEET_TYPES = Set.of("text/csv", "text/tab-separated-values",
            "application/csv", "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

    private final ArchiveIntake intake;
    private final ColumnMap columns;
    private final MailSettings settings;
    private final ReadLimits limits;
    private final IntakeTally tally;
    private final String processedFolder;
    private final String failedFolder;

    public MailIntake(ArchiveIntake intake, ColumnMap columns, MailSettings settings, ReadLimits limits, IntakeTally tally,
                      String processedFolder, String failedFolder) {
        this.intake = intake;
        this.columns = columns;
        this.settings = settings;
        this.limits = limits;
        this.tally = tally;
        this.processedFolder = processedFolder;
        this.failedFolder = failedFolder;
    }

    /**
     * Files what the mail holds and writes the reply to its sender. Only trouble reaching the database or the
     * mailbox throws (the mail is then left in the inbox and taken again).
     */
    Reply handle(Message mail) throws Exception {
        Letter letter = Letter.of(mail, settings.from());
        List<PartResult> results = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        file(mail, letter, results, problems);
        boolean failed = !problems.isEmpty() || results.stream().anyMatch(PartResult::failed)
                || results.stream().noneMatch(r -> r.kind() == PartResult.Kind.FILED);
        if (problems.isEmpty() && results.stream().noneMatch(r -> r.kind() != PartResult.Kind.IGNORED)) {
            problems.add(intake.messages().text("mail.reply.no-content"));
        }
        log(letter, results, problems, failed);
        if (failed) tally.failed(); else tally.handled();
        if (letter.replyTo() == null) LOG.warn(intake.messages().text("log.mail.no-reply", "mail", letter.name(intake.messages()), "because", letter.noReplyBecause()));
        return Reply.to(letter, failed, MailReply.subject(intake.messages(), letter, failed),
                MailReply.text(intake.messages(), letter, results, problems, failed));
    }

    private void file(Message mail, Letter letter, List<PartResult> results, List<String> problems) throws Exception {
        Messages m = intake.messages();
        MailContent content;
        try {
            content = MailContent.of(mail);
        } catch (FolderClosedException | StoreClosedException e) {
            throw e;
        } catch (MessagingException | IOException | RuntimeException e) {
            // the library's words stay out of the reply (they may quote the mail): the kind of error only
            LOG.warn(m.text("log.mail.unreadable", "mail", letter.name(m), "problem", SafeText.oneLine(SafeText.rootMessage(e), 200)));
            problems.add(m.text("mail.problem.unreadable")); // what the library said is in the log line above
            return;
        }
        content.problems().forEach(p -> problems.add(p.in(m)));
        List<MailContent.Attachment> sheets = new ArrayList<>();
        for (MailContent.Attachment attachment : content.attachments()) {
            AttachmentName name = attachment.name();
            if (name.hasPathParts()) {
                results.add(PartResult.failed(name.label(m), m.text("mail.part.path-parts")));
            } else if (SPREADSHEET_EXTENSIONS.contains(name.extension()) || SPREADSHEET_TYPES.contains(attachment.contentType())) {
                sheets.add(attachment);
            } else {
                results.add(PartResult.ignored(name.label(m), m.text("mail.part.not-spreadsheet")));
            }
        }
        BodyFields fields = BodyFields.parse(content.body());
        if (!fields.isEmpty()) {
            ColumnMap.Layout layout = columns.layout(fields.names());
            boolean identifies = layout.has(Field.NAME) && (layout.has(Field.MOBILE) || layout.has(Field.ID_NUMBER) || layout.has(Field.EMAIL));
            if (identifies) {
                results.add(fileBody(letter, fields));
            } else if (sheets.isEmpty() && results.stream().allMatch(r -> r.kind() == PartResult.Kind.IGNORED)) {
                results.add(PartResult.failed(m.text("mail.part.body"), m.text("mail.reply.body-not-a-record")));
            }
        }
        for (MailContent.Attachment sheet : sheets) {
            results.add(fileAttachment(sheet));
        }
    }

    private PartResult fileBody(Letter letter, BodyFields fields) throws SQLException {
        byte[] canonical = fields.canonical().getBytes(StandardCharsets.UTF_8);
        IngestRun run = intake.open("mail", "mail", letter.name(intake.messages()), sha256(canonical), canonical.length);
        return fileRun(intake.messages().text("mail.part.body"), run, handler -> {
            handler.header(fields.names());
            handler.row(2, fields.values());
            return "mail body";
        });
    }

    private PartResult fileAttachment(MailContent.Attachment attachment) throws Exception {
        AttachmentName name = attachment.name();
        Messages m = intake.messages();
        String label = name.label(m);
        long limit = settings.maxAttachmentBytes();
        int declared = attachment.part().getSize();
        if (declared > limit * 4 / 3 + 4096) {
            return PartResult.failed(label, tooLarge(m, limit));
        }
        Path folder = Files.createTempDirectory("dangan-mail-");
        try {
            String ext = name.extension().matches("[a-z0-9]{1,5}") ? "." + name.extension() : "";
            Path file = Files.createTempFile(folder, "attachment-", ext);
            long size;
            try (InputStream in = attachment.part().getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                size = copyAtMost(in, out, limit);
            } catch (FolderClosedException | StoreClosedException e) {
                throw e;
            } catch (MessagingException | IOException e) {
                LOG.warn(m.text("log.mail.part-unreadable", "part", label, "problem", SafeText.oneLine(SafeText.rootMessage(e), 200)));
                return PartResult.failed(label, m.text("mail.part.unreadable", "kind", e.getClass().getSimpleName()));
            }
            if (size > limit) return PartResult.failed(label, tooLarge(m, limit));
            IngestRun run = intake.open("mail", "mail", name.safe(), SpreadsheetIntake.sha256(file), size);
            return fileRun(label, run, handler -> {
                ReadSummary summary = new SpreadsheetReader(limits).read(file, handler);
                return summary.format() + ", " + summary.encoding();
            });
        } finally {
            deleteAll(folder, intake.messages());
        }
    }

    private PartResult fileRun(String label, IngestRun run, dangan.intake.RowSource source) throws SQLException {
        if (run.isDuplicateFile()) return PartResult.filed(label, run, List.of());
        try {
            intake.file(run, source);
        } catch (Exception e) {
            String reason = SpreadsheetIntake.describe(e, intake.messages());
            intake.fail(run, reason);
            return PartResult.failed(label, reason);
        }
        return PartResult.filed(label, run, intake.issues(run));
    }

    private static String tooLarge(Messages m, long limit) {
        return m.text("mail.part.too-large", "mib", limit / 1024 / 1024);
    }

    /** Copies at most limit + 1 bytes: a result above the limit means the attachment is too large. */
    private static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > limit) return total;
            out.write(buffer, 0, n);
        }
        return total;
    }

    private void log(Letter letter, List<PartResult> results, List<String> problems, boolean failed) {
        Messages m = intake.messages();
        for (PartResult r : results) {
            if (r.kind() == PartResult.Kind.FILED && r.run().name().equals(letter.name(m))) LOG.info(m.text("log.mail.body", "summary", r.run().summary(m)));
            else if (r.kind() == PartResult.Kind.FILED) LOG.info(m.text("log.mail.line", "mail", letter.name(m), "text", r.run().summary(m)));
            else LOG.warn(m.text("log.mail.part-failed", "mail", letter.name(m), "part", r.label(), "reason", r.reason()));
        }
        for (String p : problems) LOG.warn(m.text("log.mail.line", "mail", letter.name(m), "text", p));
        LOG.info(m.text("log.mail.moves", "mail", letter.name(m), "folder", failed ? failedFolder : processedFolder));
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteAll(Path folder, Messages messages) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn(messages.text("log.mail.temp-left", "folder", folder.toString(), "problem", String.valueOf(e.getMessage())));
        }
    }
}
