package dangan.access;

import dangan.archive.ArchiveReader;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.normalise.InvalidValueException;
import dangan.normalise.MobileNumber;
import org.apache.camel.Exchange;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Search and read archives (D-24), bean {@code archiveApi}: what comes back is filtered field by
 * field to the categories the caller's role sees ({@link RoleViews}), widened by the caller's live
 * access grants for that archive (D-25). Every answer names what it withheld; asking for a category
 * outside the view is 403 (audited by the {@code api} routeConfiguration); every successful search
 * and read writes one audit entry (D-26) with the categories actually returned, the purpose and the grant.
 * Sealed archives (D-32) do not exist for front desk and service staff.
 */
public final class ArchiveApi {

    private final DataSource dataSource;
    private final ArchiveReader reader;
    private final RoleViews views;
    private final AccessRequests grants;
    private final AuditTrail audit;
    private final int searchLimit;

    public ArchiveApi(DataSource dataSource, ArchiveReader reader, RoleViews views, AccessRequests grants, AuditTrail audit,
                      int searchLimit) {
        if (searchLimit < 1) throw new IllegalArgumentException("dangan.archives.search-limit must be at least 1, not " + searchLimit);
        this.dataSource = dataSource;
        this.reader = reader;
        this.views = views;
        this.grants = grants;
        this.audit = audit;
        this.searchLimit = searchLimit;
    }

    static boolean seesSealed(Caller caller) {
        return caller.is(Role.MANAGER, Role.KEEPER);
    }

    /** The one answer for an archive that does not exist and for one the caller may not know exists. */
    static String noSuchArchive(String archiveNo) {
        return "there is no archive " + archiveNo + ": check the number, or search by mobile or name";
    }

    /** {@code GET /api/archives/{archiveNo}[?categories=…][&purpose=…]}: the archive, section by category. */
    public void read(Exchange exchange) throws SQLException {
        String archiveNo = Request.archiveNo(exchange);
        Request request = Request.of(exchange);
        List<Category> asked = request.categories();
        Caller caller = Caller.of(exchange);
        String purpose = request.purpose();
        Set<Category> base = views.of(caller.role());
        Map<String, Object> body = new LinkedHashMap<>();
        List<Category> shown = new ArrayList<>();
        Long grantUsed = null;
        boolean sealed;
        try (Connection c = dataSource.getConnection()) {
            // one snapshot for every section of the answer
            c.setAutoCommit(false);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            ArchiveReader.Head head = reader.head(c, archiveNo).orElse(null);
            if (head == null || (head.sealed() && !seesSealed(caller))) throw ApiProblem.notFound(noSuchArchive(archiveNo));
            sealed = head.sealed();
            Set<Category> widened = EnumSet.noneOf(Category.class);
            widened.addAll(base);
            List<AccessRequests.LiveGrant> live = grants.live(c, caller.userId(), archiveNo);
            for (AccessRequests.LiveGrant grant : live) widened.addAll(grant.categories());
            if (asked != null && !asked.isEmpty()) {
                List<Category> outside = asked.stream().filter(a -> !widened.contains(a)).toList();
                if (!outside.isEmpty()) {
                    throw ApiProblem.forbidden("the role " + caller.role() + " does not see " + AccessRequests.labels(outside)
                            + " of archive " + archiveNo + " and holds no grant for it: request access (POST /api/access-requests)",
                            archiveNo, AccessRequests.labels(outside));
                }
                shown.addAll(asked);
            } else {
                shown.addAll(widened);
            }
            for (Category category : shown) {
                if (base.contains(category)) continue;
                for (AccessRequests.LiveGrant grant : live) {
                    if (grant.categories().contains(category)) {
                        grantUsed = grantUsed == null ? grant.id() : Math.min(grantUsed, grant.id());
                        break;
                    }
                }
            }
            body.put("archive_no", head.archiveNo());
            body.put("review_status", head.reviewStatus());
            body.put("sealed", head.sealed());
            body.put("categories", AccessRequests.labels(shown));
            body.put("withheld", AccessRequests.labels(EnumSet.complementOf(toSet(widened))));
            body.put("grant", grantUsed);
            for (Category category : shown) {
                body.put(category.label(), switch (category) {
                    case BASIC -> reader.basic(c, head.id());
                    case CONSUMPTION -> reader.consumption(c, head.id());
                    case PREFERENCES -> reader.preferences(c, head.id());
                    case HEALTH -> reader.health(c, head.id());
                    case FEEDBACK -> reader.feedback(c, head.id());
                    case IDENTITY -> reader.identity(c, head.id());
                });
            }
            c.commit();
        }
        // no answer leaves without its audit entry: if the audit cannot be written the read fails
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", archiveNo, AccessRequests.labels(shown), purpose,
                grantUsed, AuditEntry.OK, "GET /api/archives/" + archiveNo + (sealed ? " (sealed)" : "")
                + (grantUsed == null ? "" : " through grant #" + grantUsed)));
        exchange.getMessage().setBody(body);
    }

    /** {@code GET /api/archives?mobile=…&name=…&archive_no=…}: at least one; all given must match. */
    public void search(Exchange exchange) throws SQLException {
        Request request = Request.of(exchange);
        Caller caller = Caller.of(exchange);
        String purpose = request.purpose();
        String mobileRaw = request.param("mobile");
        String name = request.param("name");
        String archiveNo = request.param("archive_no");
        if (mobileRaw == null && name == null && archiveNo == null) {
            throw ApiProblem.badRequest("search by at least one of mobile, name (exact or its beginning), archive_no:"
                    + " GET /api/archives?mobile=13800138000");
        }
        List<String> where = new ArrayList<>();
        List<String> params = new ArrayList<>();
        List<String> criteria = new ArrayList<>();
        if (mobileRaw != null) {
            String mobile;
            try {
                mobile = MobileNumber.parse(mobileRaw).digits();
            } catch (InvalidValueException e) {
                // the value is not echoed: it may be someone's number with a typo, and errors are logged
                throw ApiProblem.badRequest("mobile: not a mainland mobile number — 11 digits starting with 1"
                        + " (a +86 prefix, spaces and dashes are fine)");
            }
            where.add("mobile = ?");
            params.add(mobile);
            criteria.add("mobile");
        }
        if (name != null) {
            if (name.length() > 100) throw ApiProblem.badRequest("name: at most 100 characters");
            // the whole name or its beginning; % and _ typed by the caller are letters, not wildcards
            where.add("name like ? escape '\\'");
            params.add(name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            criteria.add("name");
        }
        if (archiveNo != null) {
            where.add("archive_no = ?");
            params.add(Request.archiveNo(archiveNo));
            criteria.add("archive_no");
        }
        if (!seesSealed(caller)) where.add("sealed_at is null and status <> 'sealed'");
        Set<Category> view = views.of(caller.role());
        boolean basic = view.contains(Category.BASIC);
        String sql = "select archive_no, name, tier, review_status, (sealed_at is not null or status = 'sealed'),"
                + " gender, birth_date, mobile, email from customer where " + String.join(" and ", where)
                + " order by (name = ?) desc, archive_no limit ?";
        List<Map<String, Object>> found = new ArrayList<>();
        boolean capped = false;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String p : params) ps.setString(i++, p);
            ps.setString(i++, name == null ? "" : name);
            ps.setInt(i, searchLimit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (found.size() == searchLimit) {
                        capped = true;
                        break;
                    }
                    Map<String, Object> hit = new LinkedHashMap<>();
                    hit.put("archive_no", rs.getString(1));
                    hit.put("name", rs.getString(2));
                    hit.put("tier", rs.getString(3));
                    hit.put("review_status", rs.getString(4));
                    hit.put("sealed", rs.getBoolean(5));
                    if (basic) {
                        hit.put("gender", rs.getString(6));
                        hit.put("birth_date", rs.getDate(7) == null ? null : rs.getDate(7).toLocalDate());
                        hit.put("mobile", rs.getString(8));
                        hit.put("email", rs.getString(9));
                    }
                    found.add(hit);
                }
            }
        }
        List<String> numbers = found.stream().map(h -> (String) h.get("archive_no")).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", found.size());
        body.put("capped", capped);
        if (capped) {
            body.put("note", "more than " + searchLimit + " archives match: only the first " + searchLimit
                    + " are listed (dangan.archives.search-limit); narrow the search");
        }
        body.put("categories", basic ? List.of(Category.BASIC.label()) : List.of());
        body.put("withheld", AccessRequests.labels(EnumSet.complementOf(toSet(view))));
        body.put("archives", found);
        // the criteria are named, not their values: the audit records who looked at which archives, not contact data
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "search", numbers.size() == 1 ? numbers.get(0) : null,
                basic && !numbers.isEmpty() ? List.of(Category.BASIC.label()) : List.of(), purpose, null, AuditEntry.OK,
                "GET /api/archives by " + String.join(", ", criteria) + ": " + numbers.size() + (capped ? "+ (capped)" : "")
                + " archives" + (numbers.isEmpty() ? "" : " " + String.join(", ", numbers))));
        exchange.getMessage().setBody(body);
    }

    private static EnumSet<Category> toSet(Set<Category> categories) {
        return categories.isEmpty() ? EnumSet.noneOf(Category.class) : EnumSet.copyOf(categories);
    }
}
