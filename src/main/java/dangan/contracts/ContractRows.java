package dangan.contracts;

import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The rows of one contracts query as intake sees them: the column labels (without
 * {@code updated_at}, which is bookkeeping, not customer data) as the header, and each row's
 * values as text — dates as ISO {@code yyyy-MM-dd}, numbers in plain notation, NULL as empty.
 * The query is the operator's ({@code dangan.contracts.query}), so its columns are read by position
 * from what it returns, not by names known here.
 */
final class ContractRows implements RowMapper<ContractRows.Row> {

    static final String UPDATED_AT = "updated_at";

    private final ZoneId zone;
    private final List<String> header = new ArrayList<>();
    private final List<Integer> dataColumns = new ArrayList<>();
    private final List<Boolean> withTimeZone = new ArrayList<>();
    private int updatedAt = -1;

    /** The rows of one poll: a mapper for one query's result, which learns its columns from it. */
    ContractRows(ZoneId zone) {
        this.zone = zone;
    }

    /** Learns the query's columns (the configured SQL's own, unknown until it runs) before its first row. */
    @Override
    public RowMapper<Row> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String label = meta.getColumnLabel(i);
            if (label.toLowerCase(Locale.ROOT).equals(UPDATED_AT)) {
                updatedAt = i;
            } else {
                header.add(label);
                dataColumns.add(i);
                withTimeZone.add(meta.getColumnTypeName(i).toLowerCase(Locale.ROOT).contains("tz")
                        || meta.getColumnType(i) == java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
            }
        }
        if (updatedAt < 0) {
            throw dangan.i18n.ConfigurationException.of("config.contracts.no-updated-at", "columns", String.join(", ", header));
        }
        return this;
    }

    /** The column labels that become the intake header. */
    List<String> header() {
        return List.copyOf(header);
    }

    /** One row read from the query. */
    record Row(List<String> cells, Timestamp updatedAt, String fingerprint) {
    }

    @Override
    public Row map(ResultSet rs, StatementContext ctx) throws SQLException {
        List<String> cells = new ArrayList<>(dataColumns.size());
        for (int i = 0; i < dataColumns.size(); i++) {
            cells.add(text(rs.getObject(dataColumns.get(i)), withTimeZone.get(i)));
        }
        Timestamp changed = rs.getTimestamp(updatedAt);
        return new Row(cells, changed, fingerprint(cells, changed));
    }

    private String text(Object value, boolean withTimeZone) {
        if (value == null) return "";
        if (value instanceof java.sql.Date d) return d.toLocalDate().toString();
        if (value instanceof Timestamp t) {
            return (withTimeZone ? t.toInstant().atZone(zone).toLocalDate() : t.toLocalDateTime().toLocalDate()).toString();
        }
        if (value instanceof BigDecimal b) return b.toPlainString();
        if (value instanceof Double || value instanceof Float) {
            BigDecimal b = new BigDecimal(value.toString()).stripTrailingZeros();
            return b.scale() < 0 ? b.setScale(0).toPlainString() : b.toPlainString();
        }
        if (value instanceof java.time.LocalDate d) return d.toString();
        if (value instanceof java.time.LocalDateTime t) return t.toLocalDate().toString();
        if (value instanceof java.time.OffsetDateTime t) return t.atZoneSameInstant(zone).toLocalDate().toString();
        return value.toString();
    }

    /** Identifies a row's content, to recognise it when a later poll sees it again at the watermark. */
    private static String fingerprint(List<String> cells, Timestamp changed) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String cell : cells) {
                digest.update(cell.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            digest.update(String.valueOf(changed == null ? null : changed.toInstant()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
