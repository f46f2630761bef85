package dangan.jobs;

import org.apache.camel.Exchange;

import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The day a scheduled job runs for: the {@code DanganJobDate} header when a person runs the job
 * for a given day ({@code run-job NAME --date 2026-01-01}), otherwise today in the archive's time zone.
 */
public final class JobDate {

    /** The header that carries the day, as a {@link LocalDate} or an ISO yyyy-MM-dd string. */
    public static final String HEADER = "DanganJobDate";

    private JobDate() {
    }

    public static LocalDate of(Exchange exchange, ZoneId zone) {
        Object value = exchange.getMessage().getHeader(HEADER);
        if (value instanceof LocalDate date) return date;
        if (value != null && !value.toString().isBlank()) return LocalDate.parse(value.toString().trim());
        return LocalDate.now(zone);
    }
}
