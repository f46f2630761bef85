package dangan.app;

import dangan.audit.AuditCheckpoints;
import dangan.audit.AuditVerification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code audit verify [--json]}: checks the audit log's keyed hash chain and its checkpoints; exits 1 naming the first broken entry. */
@Command(name = "audit", mixinStandardHelpOptions = true)
final class AuditCommand extends CommandGroup {

    AuditCommand(CommandContext context) {
        super(context);
    }

    @Command(name = "verify", mixinStandardHelpOptions = true)
    int verify(@Option(names = "--json", descriptionKey = "json") boolean json) throws Exception {
        return context.onDatabase((database, audit) -> {
            Path checkpoints = AuditCheckpoints.file(context.settings().home());
            AuditVerification.Result result = audit.get().verify(new AuditCheckpoints(checkpoints, null));
            if (json) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("intact", result.intact());
                answer.put("entries", result.entries());
                answer.put("broken_at", result.brokenAt());
                answer.put("broken", result.intact() ? null : result.why().in(context.messages()));
                answer.put("keyed_from", result.keyedFrom());
                answer.put("checkpoints", checkpoints.toString());
                context.json(answer);
            } else if (result.intact()) {
                context.say("cli.audit.intact", "entries", result.entries(), "checkpoints", checkpoints.toString());
                if (result.keyedFrom() != null && result.keyedFrom() > 1) context.say("cli.audit.unkeyed", "last", result.keyedFrom() - 1);
            }
            if (result.intact()) return Dangan.OK;
            context.note("cli.audit.broken", "at", result.brokenAt(), "problem", result.why(), "entries", result.entries());
            return Dangan.FAILED;
        });
    }
}
