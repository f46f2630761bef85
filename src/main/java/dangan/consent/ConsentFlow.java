package dangan.consent;

import dangan.flow.Flow;
import dangan.flow.FlowContext;
import dangan.intake.read.ReadLimits;

import java.util.List;

/**
 * Consent (PIPL, D-28): binds {@code consents} (the Java API) and {@code consentsApi}, which routes/consents.yaml
 * calls, and {@code consentFileIntake}, the consent-only files dropped into {@code inbox/consents}
 * (routes/consent-files.yaml).
 */
public final class ConsentFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        Consents consents = new Consents(context.dataSource());
        context.bind("consents", consents);
        context.bind("consentsApi", new ConsentsApi(context.dataSource(), consents, context.audit()));
        context.bind("consentFileIntake", new ConsentFileIntake(context.intake(), context.dataSource(), context.sensitive(),
                ReadLimits.of(context.settings()), context.audit(), context.settings().zone(),
                context.home().resolve("outbox").resolve("rejects"), context.tally()));
    }

    @Override
    public List<String> inboxes() {
        return List.of(ConsentFileIntake.CHANNEL);
    }
}
