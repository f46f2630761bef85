package dangan.reminders;

import dangan.config.Settings;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.intake.read.ReadLimits;
import dangan.mail.SmtpLogin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * Reminders for the people who act on the archive (D-17, D-20 … D-22, D-30; routes/reminders.yaml):
 * the scheduled jobs visit-plan, greetings, follow-ups, staleness and completeness write their
 * feeds to {@code outbox/reminders/} and mail a digest; visits made are recorded from
 * {@code inbox/visits/}. The configuration is checked here, at start-up: a mistake stops the service
 * with the key and the form expected.
 */
public final class RemindersFlow implements Flow {

    private static final Logger LOG = LoggerFactory.getLogger(RemindersFlow.class);

    @Override
    public void bind(FlowContext context) {
        Settings s = context.settings();
        ReminderSettings settings = ReminderSettings.of(s);
        Path outbox = context.home().resolve("outbox");
        FeedWriter feed = new FeedWriter(context.dataSource(), context.sensitive(), settings.healthRoles(),
                outbox.resolve("reminders"), settings.digestMaxLines(), settings.purposes(), settings.messages(),
                s.get(FeedText.HEADINGS));
        ReminderJobs jobs = new ReminderJobs(context.dataSource(), settings, feed);
        jobs.metrics(context.metrics());
        context.bind("reminderJobs", jobs);
        context.bind("reminderDigest", new Digest(settings.digestOn()));
        context.bind("reminderSmtpLogin", new SmtpLogin(s.get("dangan.smtp.user"), s.get("dangan.smtp.password")));
        ReadLimits limits = ReadLimits.of(s);
        context.bind("visitIntake", new VisitIntake(context.intake(), context.dataSource(), context.sensitive(), limits,
                settings.knownRoles(), settings.zone(), outbox.resolve("rejects"), context.tally()));
        if (settings.digestOn()) {
            LOG.info(settings.messages().text("log.reminders.digest-on", "to", String.join(", ", settings.digestTo())));
        } else {
            LOG.info(settings.messages().text("log.reminders.digest-off"));
        }
    }

    @Override
    public List<String> inboxes() {
        return List.of(VisitIntake.CHANNEL);
    }

    /** Whether the digest route exists (its precondition). */
    public record Digest(boolean on) {
        public boolean enabled() {
            return on;
        }
    }
}
