package dangan.mail;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.dao.DuplicateKeyException;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Which mails were taken, in {@code camel_messageprocessed} (Camel's JDBC idempotent repository,
 * shared by every instance on the archive database), keyed by Message-ID. A mail is first
 * <em>claimed</em> (processor {@code dangan-mail:claim}) when the consumer picks it up and
 * <em>confirmed</em> (processor {@code dangan-mail}, as Camel's own repository would write it)
 * once it has been filed, answered and moved. A failed attempt drops the claim, so the mail is
 * tried again; a claim left behind by an instance that died in the middle of a mail is taken
 * over after {@code staleAfter}, so no mail stays in the inbox unread forever. A confirmed mail
 * is never taken again.
 */
public final class MailClaims extends JdbcMessageIdRepository {

    static final String CLAIM = MailFlow.PROCESSOR_NAME + ":claim";

    private final Duration staleAfter;

    public MailClaims(DataSource dataSource, Duration staleAfter) {
        super(dataSource, MailFlow.PROCESSOR_NAME);
        this.staleAfter = staleAfter;
        setCreateTableIfNotExists(false);
    }

    @Override
    public boolean add(String key) {
        try {
            return Boolean.TRUE.equals(transactionTemplate.execute(status -> {
                Timestamp now = Timestamp.from(Instant.now());
                jdbcTemplate.update("delete from camel_messageprocessed where processorname = ? and messageid = ? and createdat < ?",
                        CLAIM, key, Timestamp.from(now.toInstant().minus(staleAfter)));
                Integer seen = jdbcTemplate.queryForObject(
                        "select count(*) from camel_messageprocessed where processorname in (?, ?) and messageid = ?",
                        Integer.class, MailFlow.PROCESSOR_NAME, CLAIM, key);
                if (seen != null && seen > 0) return false;
                jdbcTemplate.update("insert into camel_messageprocessed (processorname, messageid, createdat) values (?, ?, ?)",
                        CLAIM, key, now);
                return true;
            }));
        } catch (DuplicateKeyException e) {
            return false; // another instance claimed it at the same moment
        }
    }

    @Override
    public boolean contains(String key) {
        Integer seen = jdbcTemplate.queryForObject(
                "select count(*) from camel_messageprocessed where processorname in (?, ?) and messageid = ?",
                Integer.class, MailFlow.PROCESSOR_NAME, CLAIM, key);
        return seen != null && seen > 0;
    }

    @Override
    public boolean confirm(String key) {
        return jdbcTemplate.update("update camel_messageprocessed set processorname = ?, createdat = ? where processorname = ? and messageid = ?",
                MailFlow.PROCESSOR_NAME, Timestamp.from(Instant.now()), CLAIM, key) == 1;
    }

    @Override
    public boolean remove(String key) {
        return jdbcTemplate.update("delete from camel_messageprocessed where processorname = ? and messageid = ?", CLAIM, key) == 1;
    }
}
