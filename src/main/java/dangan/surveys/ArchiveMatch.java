package dangan.surveys;

import dangan.i18n.Localized;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The archive a survey response belongs to, found by archive number, mobile or email (D-15);
 * or why none could be chosen — no archive has them, they point at different archives, or the
 * archive is sealed (D-32) — which is what a person reads in the review queue.
 */
public record ArchiveMatch(Long customerId, String archiveNo, Localized reason) {

    private static final String FIND = """
            select 'archive' as via, id, archive_no, status from customer where archive_no = :archiveNo
            union all select 'mobile', id, archive_no, status from customer where mobile = :mobile
            union all select 'email', id, archive_no, status from customer where email = :email""";

    public boolean found() {
        return customerId != null;
    }

    static ArchiveMatch find(Handle h, SurveyResponse response) {
        if (response.unidentified()) {
            return new ArchiveMatch(null, null, Localized.of("surveys.match.unidentified"));
        }
        Map<Long, String> archives = new LinkedHashMap<>();
        Map<Long, String> status = new LinkedHashMap<>();
        List<Localized> via = new ArrayList<>();
        record Found(String via, long id, String archiveNo, String status) {
        }
        h.createQuery(FIND)
                .bind("archiveNo", response.archiveNo()).bind("mobile", response.mobile()).bind("email", response.email())
                .map((rs, ctx) -> new Found(rs.getString("via"), rs.getLong("id"), rs.getString("archive_no"),
                        rs.getString("status")))
                .forEach(f -> {
                    archives.put(f.id(), f.archiveNo());
                    status.put(f.id(), f.status());
                    via.add(Localized.of("surveys.match.via", "via", f.via(), "archive", f.archiveNo()));
                });
        if (archives.isEmpty()) {
            return new ArchiveMatch(null, null, Localized.of("surveys.match.none", "identifiers", listed(identifiers(response))));
        }
        if (archives.size() > 1) {
            return new ArchiveMatch(null, null, Localized.of("surveys.match.several", "found", listed(via)));
        }
        long id = archives.keySet().iterator().next();
        if ("sealed".equals(status.get(id))) {
            return new ArchiveMatch(null, null, Localized.of("surveys.match.sealed", "archive", archives.get(id)));
        }
        return new ArchiveMatch(id, archives.get(id), null);
    }

    private static List<Localized> identifiers(SurveyResponse r) {
        List<Localized> given = new ArrayList<>();
        if (r.archiveNo() != null) given.add(Localized.of("surveys.match.archive-number", "value", r.archiveNo()));
        if (r.mobile() != null) given.add(Localized.of("surveys.match.mobile", "value", r.mobile()));
        if (r.email() != null) given.add(Localized.of("surveys.match.email", "value", r.email()));
        return given;
    }

    /** Up to three parts, said one after another with the language's separator ({@code , } or {@code 、}). */
    private static Localized listed(List<Localized> parts) {
        Object[] args = {"count", parts.size(), "a", part(parts, 0), "b", part(parts, 1), "c", part(parts, 2)};
        return Localized.of("surveys.match.list", args);
    }

    private static Object part(List<Localized> parts, int i) {
        return i < parts.size() ? parts.get(i) : "";
    }
}
