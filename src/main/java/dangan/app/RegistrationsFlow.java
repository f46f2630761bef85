package dangan.app;

import dangan.flow.Flow;
import dangan.flow.FlowContext;

import java.util.List;

/** Registration forms, daily reports and archive cards dropped into inbox/registrations (routes/registrations.yaml). */
public final class RegistrationsFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        // the route calls the shared spreadsheetIntake bean
    }

    @Override
    public List<String> inboxes() {
        return List.of("registrations");
    }
}
