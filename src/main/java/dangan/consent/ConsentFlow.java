package dangan.consent;

import dangan.audit.AuditTrail;
import dangan.flow.Flow;
import dangan.flow.FlowContext;

/** Consent (PIPL, D-28): binds {@code consents} (the Java API) and {@code consentsApi}, which routes/consents.yaml calls. */
public final class ConsentFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        Consents consents = new Consents(context.dataSource());
        context.bind("consents", consents);
        context.bind("consentsApi", new ConsentsApi(context.dataSource(), consents, context.audit()));
    }
}
