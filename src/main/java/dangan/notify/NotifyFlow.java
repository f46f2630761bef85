package dangan.notify;

import dangan.config.Settings;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.intake.MergeListener;
import dangan.mail.SmtpLogin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * Change notifications (D-22, D-27): records the events of every merge in its transaction
 * ({@link ChangeEvents}) and binds the relay that delivers them ({@code routes/notifications.yaml}).
 */
public final class NotifyFlow implements Flow {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyFlow.class);

    @Override
    public void bind(FlowContext context) throws Exception {
        Settings settings = context.settings();
        ZoneId zone = settings.zone();
        context.intake().onMerged(MergeListener.Phase.NOTIFICATIONS, new ChangeEvents(zone, settings.getInt("dangan.notify.returning-within-days", 1)));

        List<Subscriber> subscribers = Subscriber.all(settings, context.views());
        for (Subscriber s : subscribers) {
            if (s.channel() == Subscriber.Channel.FILE) Files.createDirectories(s.folder());
        }
        context.bind("notificationRelay", new NotificationRelay(book(context, settings), subscribers,
                settings.get("dangan.smtp.url"), settings.get("dangan.mail.from"),
                settings.getInt("dangan.notify.batch", 100), Clock.systemUTC(),
                new ChatMessages(dangan.i18n.Language.of(settings), settings.get("dangan.console.url"))));
        context.bind("notifySmtpLogin", new SmtpLogin(settings.get("dangan.smtp.user"), settings.get("dangan.smtp.password")));
        if (subscribers.isEmpty()) {
            LOG.info(dangan.i18n.Messages.of(settings).text("log.notify.no-subscribers"));
        } else {
            LOG.info(dangan.i18n.Messages.of(settings).text("log.notify.relaying", "subscribers", subscribers.toString()));
        }
    }

    /** The delivery bookkeeping with the retry settings of the configuration. */
    public static DeliveryBook book(FlowContext context, Settings settings) {
        DeliveryBook book = book(context.dataSource(), settings);
        book.metrics(context.metrics());
        return book;
    }

    public static DeliveryBook book(javax.sql.DataSource dataSource, Settings settings) {
        int maxAttempts = settings.getInt("dangan.notify.max-attempts", 10);
        if (maxAttempts < 1) {
            throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", "dangan.notify.max-attempts", "value", String.valueOf(maxAttempts));
        }
        return new DeliveryBook(dataSource,
                Duration.ofSeconds(settings.getInt("dangan.notify.retry-base-seconds", 30)),
                Duration.ofSeconds(settings.getInt("dangan.notify.retry-max-seconds", 21600)),
                maxAttempts,
                Duration.ofSeconds(settings.getInt("dangan.notify.claim-seconds", 600)));
    }
}
