package dangan.surveys;

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
public record ArchiveMatch(Long customerId, String archiveNo, String reason) {

    private static final String FIND = """
            select 'archive number' as via, id, archive_no, status from customer where archive_no = :archiveNo
            union all select 'mobile', id, archive_no, status from customer where mobile = :mobile
            union all select 'email', id, archive_no, status from customer where email = :email""";

    public boolean found() {
        return customerId != null;
    }

    static ArchiveMatch find(Handle h, SurveyResponse response) {
        if (response.unidentified()) {
            return new ArchiveMatch(null, null, "no valid archive number, mobile or email to find the archive"
                    + " (see the warnings of its intake); link it by hand");
        }
        Map<Long, String> archives = new LinkedHashMap<>();
        Map<Long, String> status = new LinkedHashMap<>();
        List<String> via = new ArrayList<>();
        record Found(String via, long id, String archiveNo, String status) {
        }
        h.createQuery(FIND)
                .bind("archiveNo", response.archiveNo()).bind("mobile", response.mobile()).bind("email", response.email())
                .map((rs, ctx) -> new Found(rs.getString("via"), rs.getLong("id"), rs.getString("archive_no"),
                        rs.getString("status")))
                .forEach(f -> {
                    archives.put(f.id(), f.archiveNo());
                    status.put(f.id(), f.status());
                    via.add(f.via() + " → " + f.archiveNo());
                });
        if (archives.isEmpty()) {
            return new ArchiveMatch(null, null, "no archive has " + identifiers(response)
                    + "; it is filed when a later intake brings that archive, or link it by hand");
        }
        if (archives.size() > 1) {
            return new ArchiveMatch(null, null, "its identifiers belong to different archives (" + String.join(", ", via)
                    + "); link it by hand to the right one");
        }
        long id = archives.keySet().iterator().next();
        if ("sealed".equals(status.get(id))) {
            return new ArchiveMatch(null, null, "archive " + archives.get(id) + " is sealed (D-32): nothing is filed on it;"
                    + " link it by hand only if the seal allows");
        }
        return new ArchiveMatch(id, archives.get(id), null);
    }

    private static String identifiers(SurveyResponse r) {
        List<String> given = new ArrayList<>();
        if (r.archiveNo() != null) given.add("archive number " + r.archiveNo());
        if (r.mobile() != null) given.add("mobile " + r.mobile());
        if (r.email() != null) given.add("email " + r.email());
        return String.join(", ", given);
    }
}
