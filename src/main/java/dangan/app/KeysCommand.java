package dangan.app;

import dangan.access.Role;
import dangan.audit.Exposure;
import dangan.i18n.Localized;
import dangan.privacy.Reseal;
import dangan.privacy.SensitiveFields;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code keys status [--json] | keys reseal [--batch N] --by NAME}: which stored values are still sealed under the
 * master-derived service key (version 1) and which under customer keys (version 2); re-seal the
 * former under their customers' keys (an administrator's work, named with {@code --by} and audited). Both are audited. Works on the
 * database without starting the service.
 */
@Command(name = "keys", mixinStandardHelpOptions = true)
final class KeysCommand extends CommandGroup {

    KeysCommand(CommandContext context) {
        super(context);
    }

    @Command(name = "status", mixinStandardHelpOptions = true)
    int status(@Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        return context.onDatabase((database, audit) -> {
            Reseal reseal = new Reseal(database.dataSource(), SensitiveFields.configured(context.settings(), database.dataSource()));
            Map<String, Map<Integer, Long>> status = reseal.status();
            // every access logged: what the keys of the archive are, read by whom (counts only, no value)
            Exposure.command(audit.get(), "read", null, Localized.of("audit.keys.status", "call", "dangan keys status",
                    "columns", status.size(), "service", count(status, 1), "customer", count(status, 2)));
            return print(status, json);
        });
    }

    @Command(name = "reseal", mixinStandardHelpOptions = true)
    int reseal(@Option(names = "--batch", paramLabel = "N", defaultValue = "500", descriptionKey = "keys.batch") int batch,
               @Mixin ActingFor by) throws Exception {
        if (batch < 1) throw context.usage(spec, "cli.keys.batch", "value", batch);
        return context.onDatabase((database, audit) -> {
            ActingFor.Actor actor = by.check(database.dataSource(), audit.get(), Role.ADMIN);
            Reseal reseal = new Reseal(database.dataSource(), SensitiveFields.configured(context.settings(), database.dataSource()));
            long started = System.nanoTime();
            Reseal.Result result = reseal.run(batch);
            Exposure.command(audit.get(), actor.name(), actor.role(), "reseal", null,
                    Localized.of("audit.keys.reseal", "values", result.total(), "customers", result.customers()));
            context.say("cli.keys.resealed", "values", result.total(), "customers", result.customers(),
                    "seconds", (System.nanoTime() - started) / 1e9);
            return print(reseal.status(), false);
        });
    }

    private static long count(Map<String, Map<Integer, Long>> status, int version) {
        return status.values().stream().mapToLong(v -> v.getOrDefault(version, 0L)).sum();
    }

    private int print(Map<String, Map<Integer, Long>> status, boolean json) throws java.io.IOException {
        if (json) {
            List<Map<String, Object>> rows = status.entrySet().stream().map(e -> {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("column", e.getKey());
                row.put("service_key", e.getValue().getOrDefault(1, 0L));
                row.put("customer_key", e.getValue().getOrDefault(2, 0L));
                return row;
            }).toList();
            return context.json(rows);
        }
        var table = context.table("cli.keys.column.column", "cli.keys.column.service-key", "cli.keys.column.customer-key");
        status.forEach((column, versions) -> table.row(column, versions.getOrDefault(1, 0L), versions.getOrDefault(2, 0L)));
        table.print(context.out());
        return Dangan.OK;
    }
}
