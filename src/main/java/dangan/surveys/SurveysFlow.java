package dangan.surveys;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dangan.audit.AuditTrail;
import dangan.config.Settings;
import dangan.flow.Flow;
import dangan.flow.FlowContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.ZoneId;
import java.util.List;

/**
 * Satisfaction surveys (D-5, D-11), routes/surveys.yaml: JSON files dropped into inbox/surveys and
 * POSTs to /api/surveys become feedback on the matched archive (a low score also an open
 * complaint); unmatched responses wait in the review queue until linked or re-matched.
 */
public final class SurveysFlow implements Flow {

    private static final Logger LOG = LoggerFactory.getLogger(SurveysFlow.class);

    private volatile SurveyReview review;

    @Override
    public void bind(FlowContext context) {
        Settings settings = context.settings();
        ObjectMapper json = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        ZoneId zone = settings.zone();
        SurveyMapping mapping = SurveyMapping.from(settings);
        int complaintAtOrBelow = settings.getInt("dangan.surveys.complaint-at-or-below", 2);
        SurveyFiling filing = new SurveyFiling(context.dataSource(), context.sensitive(), json, complaintAtOrBelow, context.audit(),
                dangan.i18n.Messages.of(settings));
        long maxBody = settings.getInt("dangan.surveys.max-body-bytes", 1_048_576);
        SurveyCredentials credentials = SurveyCredentials.from(settings,
                new dangan.access.StaffDirectory(context.dataSource(), context.audit()), context.dataSource());
        context.bind("surveyIntake", new SurveyIntake(context.intake(), new SurveyReader(json, mapping, zone), filing,
                context.home().resolve("outbox").resolve("rejects"), context.tally(), json,
                settings.getInt("dangan.intake.max-file-mb", 200) * 1024L * 1024L, maxBody, credentials));
        review = new SurveyReview(context.dataSource(), filing, new SurveyReader(json, SurveyMapping.defaults(), zone), json,
                context.audit());
        context.bind("surveyReview", review);
        StringBuilder mapped = new StringBuilder();
        for (SurveyField field : SurveyField.values()) {
            String pointer = mapping.pointer(field).toString();
            if (!pointer.equals(field.defaultPointer())) mapped.append(' ').append(field.key()).append('←').append(pointer);
        }
        if (mapping.responses() != null) mapped.append(" responses←").append(mapping.responses());
        LOG.info(dangan.i18n.Messages.of(settings).text("log.surveys.on", "folder", context.home().resolve("inbox").resolve("surveys").toString(),
                "port", settings.get("dangan.http.port", "8080"), "score", complaintAtOrBelow,
                "ms", settings.get("dangan.surveys.rematch-ms", "60000"), "custom", mapped.length() == 0 ? "no" : "yes", "mapping", mapped.toString().strip()));
    }

    /**
     * For {@code --once}: matches the review queue again against the archive as it is now (a
     * registration file of the same run may have brought the archive a survey was waiting for);
     * drained when nothing more matched.
     */
    @Override
    public boolean drained() {
        return review == null || review.rematch() == 0;
    }

    @Override
    public List<String> inboxes() {
        return List.of("surveys");
    }
}
