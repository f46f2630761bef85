package dangan.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dangan.i18n.Messages;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Says what the merge's SQL wrote for a person. The steps write no words: a warning or the reason a
 * change waits is a message key (area {@code merge}) with its named arguments as JSON ({@code reason_key},
 * {@code reason_args}; {@code why_key}, {@code why_args}), and the text column is null. At the end of the
 * merge, in its transaction, each distinct key and arguments is said once in the configured language and
 * written into the text column — so the reject report, the check report, the review queue and psql read
 * it as before, in Chinese by default — while the key stays for a reader of another language (V35).
 */
public final class MergeTexts {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ARGUMENTS = new TypeReference<>() {
    };

    /** A table's text column, its key and argument columns, and how its rows of one ingest are found. */
    private record Column(String table, String text, String key, String args, String ingest) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("intake_issue", "reason", "reason_key", "reason_args", "ingest_id"),
            new Column("intake_change", "why", "why_key", "why_args", "ingest_id"),
            new Column("pending_change", "reason", "reason_key", "reason_args", "source_ingest_id"));

    private MergeTexts() {
    }

    /** Says every keyed text of the ingest not said yet; returns how many distinct texts were said. */
    static int say(Handle h, long ingestId, Messages messages) {
        int said = 0;
        for (Column c : COLUMNS) {
            List<String> keys = new ArrayList<>();
            List<String> args = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            h.createQuery("select distinct " + c.key() + " as k, " + c.args() + "::text as a from " + c.table()
                            + " where " + c.ingest() + " = :ingest and " + c.text() + " is null and " + c.key() + " is not null")
                    .bind("ingest", ingestId)
                    .map((rs, ctx) -> new String[]{rs.getString("k"), rs.getString("a")})
                    .forEach(row -> {
                        keys.add(row[0]);
                        args.add(row[1] == null ? "{}" : row[1]);
                        texts.add(messages.text(row[0], arguments(row[1])));
                    });
            if (keys.isEmpty()) continue;
            h.createUpdate("update " + c.table() + " t set " + c.text() + " = s.text"
                            + " from unnest(:keys, :args, :texts) s(key, args, text)"
                            + " where t." + c.ingest() + " = :ingest and t." + c.text() + " is null and t." + c.key() + " = s.key"
                            + " and coalesce(t." + c.args() + ", '{}'::jsonb) = s.args::jsonb")
                    .bind("ingest", ingestId)
                    .bind("keys", keys.toArray(String[]::new))
                    .bind("args", args.toArray(String[]::new))
                    .bind("texts", texts.toArray(String[]::new))
                    .execute();
            said += keys.size();
        }
        return said;
    }

    /** A keyed text of the merge in the language of {@code messages}: its key and its arguments as JSON. */
    public static String say(Messages messages, String key, String argumentsJson) {
        return messages.text(key, arguments(argumentsJson));
    }

    /** The named arguments of a key, from their JSON. */
    static Map<String, Object> arguments(String json) {
        if (json == null) return Map.of();
        try {
            return JSON.readValue(json, ARGUMENTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("merge text arguments are not a JSON object: " + e.getOriginalMessage(), e);
        }
    }
}
