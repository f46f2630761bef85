package dangan.app;

import dangan.flow.Flow;
import dangan.flow.FlowContext;

import java.util.List;

/** Check before filing: files dropped into inbox/check are checked, never filed (routes/check.yaml, bean fileCheck). */
public final class CheckFlow implements Flow {

    @Override
    public void bind(FlowContext context) {
        // the route calls the shared fileCheck bean, bound by DanganService beside spreadsheetIntake
    }

    @Override
    public List<String> inboxes() {
        return List.of("check");
    }
}
