package dangan.surveys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dangan.i18n.Messages;

import java.util.ArrayList;
import java.util.List;

/**
 * What became of the responses of one file or POST: each exactly one of filed (feedback on an
 * archive; some also an open complaint), review (waiting for a person or a later intake),
 * duplicate (its survey_id was received before) or rejected (with the reasons).
 */
public final class SurveyOutcome {

    private final long ingestId;
    private int responses;
    private int filed;
    private int complaints;
    private int review;
    private int duplicates;
    private int rejected;
    private final List<SurveyEntry> rejects = new ArrayList<>();
    private final List<SurveyProblem> warnings = new ArrayList<>();

    SurveyOutcome(long ingestId) {
        this.ingestId = ingestId;
    }

    void filed(boolean complaint) {
        responses++;
        filed++;
        if (complaint) complaints++;
    }

    void queued() {
        responses++;
        review++;
    }

    void duplicate() {
        responses++;
        duplicates++;
    }

    void rejected(SurveyEntry entry) {
        responses++;
        rejected++;
        rejects.add(entry);
    }

    void warnings(List<SurveyProblem> problems) {
        warnings.addAll(problems);
    }

    public long ingestId() { return ingestId; }
    public int responses() { return responses; }
    public int filed() { return filed; }
    public int complaints() { return complaints; }
    public int review() { return review; }
    public int duplicates() { return duplicates; }
    public int rejected() { return rejected; }
    public List<SurveyEntry> rejects() { return List.copyOf(rejects); }
    public List<SurveyProblem> warnings() { return List.copyOf(warnings); }

    /** Every reject reason, one per line, in the language of {@code messages}: what the .error.txt lists. */
    public List<String> rejectReasons(Messages messages) {
        List<String> reasons = new ArrayList<>();
        for (SurveyEntry entry : rejects) entry.rejects().forEach(p -> reasons.add(p.reason().in(messages)));
        return reasons;
    }

    /** The one log line per file or POST, in the language of {@code messages}. */
    public String summary(String name, Messages messages) {
        return messages.text("surveys.summary", "name", name, "responses", responses, "filed", filed, "complaints", complaints,
                "review", review, "duplicates", duplicates, "rejected", rejected, "warnings", warnings.size());
    }

    /**
     * The JSON answer to a POST: the counts and, for each rejected response, where and why. Filed and waiting
     * for review are one count, {@code received}: the answer must not tell whether a mobile or email belongs to a
     * customer (the log line and the ingest keep them apart for staff).
     */
    public ObjectNode answer(ObjectMapper json, Messages messages) {
        ObjectNode node = json.createObjectNode();
        node.put("ingest", ingestId);
        node.put("responses", responses);
        node.put("received", filed + review);
        node.put("duplicates", duplicates);
        node.put("rejected", rejected);
        ArrayNode list = node.putArray("rejects");
        for (SurveyEntry entry : rejects) {
            for (SurveyProblem problem : entry.rejects()) {
                ObjectNode item = list.addObject();
                item.put("response", entry.number());
                item.put("position", entry.position());
                item.put("field", problem.column());
                item.put("value", problem.value());
                item.put("reason", problem.reason().in(messages));
            }
        }
        ArrayNode warned = node.putArray("warnings");
        warnings.forEach(w -> warned.addObject().put("field", w.column()).put("value", w.value()).put("reason", w.reason().in(messages)));
        return node;
    }
}
