package dangan.access;

import dangan.access.ApiProblem;
import dangan.access.Request;
import org.apache.camel.Exchange;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

/** Query parameters of a GET request, checked: a bad one is a 400 that names it and says what it takes. */
public final class QueryParams {

    private final Exchange exchange;

    private QueryParams(Exchange exchange) {
        this.exchange = exchange;
    }

    public static QueryParams of(Exchange exchange) {
        return new QueryParams(exchange);
    }

    /**
     * The parameter's text, trimmed; null when absent or blank. Read from the query string itself
     * ({@link Request}): Camel also maps HTTP request headers to message headers, so a
     * header named like a parameter ({@code purpose:}, {@code field:}) would otherwise count as one.
     */
    public String text(String name) {
        String value = Request.of(exchange).param(name);
        if (value == null || value.isBlank()) return null;
        if (value.length() > 200) throw ApiProblem.localized(400, "api.param.too-long", "name", name, "max", "200");
        return value.strip();
    }

    public String oneOf(String name, Set<String> allowed, String fallback) {
        String value = text(name);
        if (value == null) return fallback;
        if (!allowed.contains(value)) throw ApiProblem.localized(400, "api.param.one-of", "name", name, "allowed", String.join(", ", allowed.stream().sorted().toList()), "value", value);
        return value;
    }

    public boolean bool(String name, boolean fallback) {
        String value = text(name);
        if (value == null) return fallback;
        if (value.equalsIgnoreCase("true")) return true;
        if (value.equalsIgnoreCase("false")) return false;
        throw ApiProblem.localized(400, "api.param.bool", "name", name, "value", value);
    }

    public long whole(String name, long fallback, long min, long max) {
        String value = text(name);
        if (value == null) return fallback;
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) throw ApiProblem.localized(400, "api.param.between", "name", name, "min", String.valueOf(min), "max", String.valueOf(max), "value", String.valueOf(n));
            return n;
        } catch (NumberFormatException e) {
            throw ApiProblem.localized(400, "api.param.whole", "name", name, "value", value);
        }
    }

    public Long wholeOrNull(String name) {
        return text(name) == null ? null : whole(name, 0, 1, Long.MAX_VALUE);
    }

    public LocalDate date(String name) {
        String value = text(name);
        if (value == null) return null;
        try {
            return inRange(name, LocalDate.parse(value));
        } catch (DateTimeParseException e) {
            throw ApiProblem.localized(400, "api.param.date", "name", name, "value", value);
        }
    }

    public YearMonth month(String name) {
        String value = text(name);
        if (value == null) return null;
        try {
            YearMonth month = YearMonth.parse(value);
            inRange(name, month.atDay(1));
            return month;
        } catch (DateTimeParseException e) {
            throw ApiProblem.localized(400, "api.param.month", "name", name, "value", value);
        }
    }

    /** Years the database takes in every time zone: a date outside is a 400, not a 500 from PostgreSQL. */
    private static LocalDate inRange(String name, LocalDate day) {
        if (day.getYear() < 1900 || day.getYear() > 9999) {
            throw ApiProblem.localized(400, "api.param.year", "name", name, "year", String.valueOf(day.getYear()));
        }
        return day;
    }

    /**
     * A point in time: a date (YYYY-MM-DD, the start of that day in the zone, or with {@code endOfDay}
     * the start of the next) or an ISO instant (2026-11-24T08:00:00Z).
     */
    public Instant instant(String name, ZoneId zone, boolean endOfDay) {
        String value = text(name);
        if (value == null) return null;
        try {
            if (value.length() == 10) {
                LocalDate day = inRange(name, LocalDate.parse(value));
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(zone).toInstant();
            }
            Instant instant = Instant.parse(value);
            inRange(name, instant.atZone(ZoneOffset.UTC).toLocalDate());
            return instant;
        } catch (DateTimeParseException e) {
            throw ApiProblem.localized(400, "api.param.instant", "name", name, "value", value);
        }
    }
}
