package dangan.mail;

import dangan.config.Settings;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.intake.ColumnMap;
import dangan.intake.read.ReadLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Guest-history mails from an IMAP mailbox (D-12, routes/mail.yaml). Off — and said so once in
 * the log — unless the IMAP URL, the SMTP URL and the From address are set; then the route does
 * not even start. Which mails were taken is kept in {@code camel_messageprocessed}, the claim ledger
 * ({@link MailClaims}) on the archive database, so no mail is filed or answered twice, across
 * restarts and across instances.
 */
public final class MailFlow implements Flow {

    private static final Logger LOG = LoggerFactory.getLogger(MailFlow.class);
    /** The consumer's name in camel_messageprocessed. */
    static final String PROCESSOR_NAME = "dangan-mail";

    private MailPollState state;
    private MailSettings mail;

    @Override
    public void bind(FlowContext context) throws Exception {
        Settings settings = context.settings();
        mail = MailSettings.of(settings);
        context.bind("mailSource", mail);
        if (!mail.enabled()) {
            if (mail.unused()) {
                LOG.info(context.intake().messages().text("log.mail.off", "missing", String.join(", ", mail.missing())));
            } else {
                LOG.warn(context.intake().messages().text("log.mail.off-incomplete", "missing", String.join(", ", mail.missing())));
            }
            return;
        }
        state = new MailPollState(mail.imapUrl().replaceAll("//[^/@]*@", "//"), context.intake().messages());
        MailClaims claims = new MailClaims(context.dataSource(),
                Duration.ofMinutes(settings.getInt("dangan.mail.claim-timeout-minutes", 30)));
        int released = claims.releaseGone(); // what a crashed instance had claimed: taken again by the first poll
        if (released > 0) LOG.info(context.intake().messages().text("recovery.mail-claims-released", "count", released));
        String processed = settings.get("dangan.mail.folder.processed", "Dangan-Processed");
        String failed = settings.get("dangan.mail.folder.failed", "Dangan-Failed");
        ColumnMap columns = ColumnMap.load(settings.path("dangan.columns", "columns.properties"));
        ReadLimits limits = new ReadLimits(mail.maxAttachmentBytes(), settings.getInt("dangan.intake.max-columns", 500),
                ReadLimits.defaults().maxCellChars());
        // D-31: a mail whose subject says "删除申请" / "deletion request" files a customer's deletion request
        MailDeletionRequest deletions = new MailDeletionRequest(new dangan.retention.DestructionProposals(context.dataSource(),
                context.audit(), dangan.retention.RetentionSettings.from(settings)),
                context.dataSource(), mail, context.tally(), context.intake().messages());
        MailIntake intake = new MailIntake(context.intake(), columns, mail, limits, context.tally(), processed, failed);
        Mailbox mailbox = new Mailbox(mail.imapUrl(), settings.get("dangan.imap.user"), settings.get("dangan.imap.password"),
                settings.get("dangan.mail.folder.inbox", "INBOX"));
        MailReplies replies = new MailReplies(mail.smtpUrl(), settings.get("dangan.smtp.user"), settings.get("dangan.smtp.password"),
                mail.from(), mail.smtpConnections(), context.intake().messages());
        context.bind("mailPoll", new MailPoll(mailbox, claims, intake, deletions, replies, state, mail.batchSize(), processed, failed,
                context.intake().messages()));
        LOG.info(context.intake().messages().text("log.mail.on", "mailbox", mail.imapUrl().replaceAll("//[^/@]*@", "//"),
                "folder", settings.get("dangan.mail.folder.inbox", "INBOX"), "from", String.valueOf(mail.from())));
    }

    /** Off, or the last poll found nothing to take and no mail is in hand. */
    @Override
    public boolean drained() {
        return state == null || state.drained();
    }
}
