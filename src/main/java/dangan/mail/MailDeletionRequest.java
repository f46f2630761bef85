package dangan.mail;

import dangan.i18n.Messages;

import dangan.intake.IntakeTally;
import dangan.normalise.Text;
import dangan.retention.DestructionProposals;
import dangan.retention.ProposalShapes;
import dangan.rules.RuleException;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.StoreClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dangan.store.Db;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A customer's deletion request by mail (D-31, PIPL): a mail to the intake mailbox whose subject
 * starts with 删除申请 / 删除请求 / deletion request names the archive number or the mobile in its text.
 * It files a deletion request (subject request + destruction proposal, {@link DestructionProposals})
 * instead of being read as guest history; the sender is told it was filed, or why not (the mail then
 * moves to the failed folder for a person). Nothing is destroyed here: a manager approves.
 * {@link MailPoll} asks it before {@link MailIntake#handle}; it writes the reply the same way.
 */
final class MailDeletionRequest {

    private static final Logger LOG = LoggerFactory.getLogger(MailDeletionRequest.class);
    private static final Pattern SUBJECT = Pattern.compile("^\\s*(?:(?:re|fw|fwd|回复|转发)\\s*[:：]\\s*)*"
            + "(删除申请|删除请求|申请删除|deletion request|request for deletion|delete my data)", Pattern.CASE_INSENSITIVE);
    private static final Pattern ARCHIVE_NO = Pattern.compile("(?<!\\d)(20\\d{2}(?:0[1-9]|1[0-2])\\d{3,6})(?!\\d)");
    private static final Pattern MOBILE = Pattern.compile("(?<![\\d])(?:\\+?86[\\s-]?)?(1[3-9]\\d(?:[\\s-]?\\d){8})(?![\\d])");
    static final String RECEIVED_BY = "system:mail";

    private final DestructionProposals proposals;
    private final Jdbi jdbi;
    private final MailSettings settings;
    private final IntakeTally tally;
    private final Messages messages;

    MailDeletionRequest(DestructionProposals proposals, DataSource dataSource, MailSettings settings, IntakeTally tally,
                        Messages messages) {
        this.messages = messages;
        this.proposals = proposals;
        this.jdbi = Db.jdbi(dataSource);
        this.settings = settings;
        this.tally = tally;
    }

    /** Does the mail's subject say it is a deletion request? */
    boolean matches(Message mail) throws MessagingException {
        String subject = mail.getSubject();
        return subject != null && SUBJECT.matcher(Text.clean(subject) == null ? "" : Text.clean(subject)).find();
    }

    /** Files the request and writes the reply (as {@link MailIntake#handle} does). */
    Reply handle(Message mail) throws Exception {
        Letter letter = Letter.of(mail, settings.from());
        String text;
        try {
            text = MailContent.of(mail).body();
        } catch (FolderClosedException | StoreClosedException e) {
            throw e;
        } catch (MessagingException | IOException | RuntimeException e) {
            text = "";
        }
        String raw = letter.subject() + "\n" + (text == null ? "" : text);
        String searched = Text.clean(raw) == null ? raw : Text.clean(raw); // full-width digits to half-width
        Optional<String> archiveNo = find(searched);
        String answer;
        boolean failed;
        if (archiveNo.isEmpty()) {
            failed = true;
            answer = messages.text("mail.deletion.unknown");
            LOG.warn(messages.text("log.mail.deletion-unknown", "mail", letter.name(messages)));
        } else if (openRequest(archiveNo.get()).isPresent()) {
            failed = false;
            OpenRequest open = openRequest(archiveNo.get()).get();
            answer = messages.text("mail.deletion.already-open", "archive", archiveNo.get(), "id", open.id(), "due", open.due());
            LOG.info(messages.text("log.mail.deletion-open", "mail", letter.name(messages), "archive", archiveNo.get()));
        } else {
            try {
                ProposalShapes.Filed filed = proposals.fileDeletionRequest(archiveNo.get(), "mail", RECEIVED_BY, null,
                        messages.text("mail.deletion.note", "mail", letter.name(messages)));
                failed = false;
                answer = messages.text("mail.deletion.filed", "archive", filed.archiveNo(), "id", filed.subjectRequestId(),
                        "due", filed.dueAt().toLocalDate());
            } catch (RuleException e) {
                failed = true;
                answer = messages.text("mail.deletion.refused", "reason", e.message(messages));
            }
        }
        if (failed) tally.failed(); else tally.handled();
        if (letter.replyTo() == null) LOG.warn(messages.text("log.mail.no-reply", "mail", letter.name(messages), "because", letter.noReplyBecause()));
        return Reply.to(letter, failed,
                messages.text("mail.deletion.subject", "subject", SafeText.oneLine(letter.subject(), 150), "failed", failed ? "yes" : "no"),
                messages.text("mail.reply.intro", "subject", letter.subject(), "dated", "no", "sent", "") + "\n\n"
                        + answer + "\n\n" + messages.text("mail.reply.automatic") + "\n");
    }

    /** The archive named in the text: an archive number that exists, else the archive of a mobile number in it. */
    private Optional<String> find(String text) {
        Set<String> numbers = new LinkedHashSet<>();
        Matcher m = ARCHIVE_NO.matcher(text);
        while (m.find()) numbers.add(m.group(1));
        Set<String> mobiles = new LinkedHashSet<>();
        Matcher mm = MOBILE.matcher(text);
        while (mm.find()) mobiles.add(mm.group(1).replaceAll("[\\s-]", ""));
        return jdbi.withHandle(h -> {
            for (String n : numbers) {
                Optional<String> found = one(h, "select archive_no from customer where archive_no = :value", n);
                if (found.isPresent()) return found;
            }
            for (String mobile : mobiles) {
                Optional<String> found = one(h, "select archive_no from customer where mobile = :value", mobile);
                if (found.isPresent()) return found;
            }
            return Optional.<String>empty();
        });
    }

    /** An open deletion request: its number and the day it is due. */
    private record OpenRequest(long id, java.time.LocalDate due) {
    }

    /** The open deletion request of the archive, if any. */
    private Optional<OpenRequest> openRequest(String archiveNo) {
        return jdbi.withHandle(h -> h.createQuery("select id, due_at::date as due from subject_request"
                        + " where archive_no = :value and kind = 'deletion' and status = 'open' order by id limit 1")
                .bind("value", archiveNo)
                .map((rs, ctx) -> new OpenRequest(rs.getLong("id"), rs.getObject("due", java.time.LocalDate.class))).findFirst());
    }

    private static Optional<String> one(Handle h, String sql, String value) {
        return h.createQuery(sql).bind("value", value).mapTo(String.class).findFirst();
    }
}
