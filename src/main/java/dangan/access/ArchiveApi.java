package dangan.access;

import dangan.audit.AuditText;

import dangan.i18n.Localized;

import dangan.archive.ArchiveReader;
import dangan.audit.AuditEntry;
import dangan.audit.AuditTrail;
import dangan.normalise.InvalidValueException;
import dangan.normalise.MobileNumber;
import dangan.store.Db;
import org.apache.camel.Exchange;
import org.jdbi.v3.core.Jdbi;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.EnumMap;
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

    private final Jdbi jdbi;
    private final ArchiveReader reader;
    private final RoleViews views;
    private final AccessRequests grants;
    private final AuditTrail audit;
    private final int searchLimit;

    private final dangan.i18n.Language language;

    public ArchiveApi(DataSource dataSource, ArchiveReader reader, RoleViews views, AccessRequests grants, AuditTrail audit,
                      int searchLimit, dangan.i18n.Language language) {
        this.language = language;
        if (searchLimit < 1) throw dangan.i18n.ConfigurationException.of("config.at-least-one", "key", "dangan.archives.search-limit", "value", String.valueOf(searchLimit));
        this.jdbi = Db.jdbi(dataSource);
        this.reader = reader;
        this.views = views;
        this.grants = grants;
        this.audit = audit;
        this.searchLimit = searchLimit;
    }

    /**
     * A read in one statement: the archive's head ({@link ArchiveReader#HEAD}), the caller's live grants on it
     * ({@link AccessRequests#LIVE}) and, per category, its section ({@link ArchiveReader#sectionSql}) when it is
     * among {@code :candidates} (those asked for, or all) and the caller sees it (its role's {@code :base} view or a
     * live grant) — none of a sealed archive for a caller who may not know it exists.
     */
    private static final String READ = "with head as (" + ArchiveReader.HEAD + "),\n live as (" + AccessRequests.LIVE + ")\n"
            + "select head.*, (select coalesce(json_agg(json_build_object('id', live.id, 'categories', live.categories) order by live.id), '[]')"
            + " from live) as grants"
            + java.util.Arrays.stream(Category.values()).map(c -> ",\n case when (not head.sealed or :seesSealed)"
                    + " and '" + c.label() + "' = any (cast(:candidates as text[]))"
                    + " and ('" + c.label() + "' = any (cast(:base as text[])) or exists (select 1 from live where '" + c.label()
                    + "' = any (live.categories)))\n then " + ArchiveReader.sectionSql(c.label()) + " end as section_" + c.label())
                    .collect(java.util.stream.Collectors.joining())
            + "\n from head";

    /** The live grants as the read's statement answers them (JSON: id and categories of each). */
    private static List<AccessRequests.LiveGrant> grants(String json) {
        try {
            List<AccessRequests.LiveGrant> live = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode grant : Api.JSON.readTree(json)) {
                Set<Category> categories = EnumSet.noneOf(Category.class);
                for (com.fasterxml.jackson.databind.JsonNode label : grant.path("categories")) categories.add(Category.of(label.asText()));
                live.add(new AccessRequests.LiveGrant(grant.path("id").asLong(), categories));
            }
            return live;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the live grants are not JSON", e);
        }
    }

    static boolean seesSealed(Caller caller) {
        return caller.is(Role.MANAGER, Role.KEEPER);
    }

    /** The one answer for an archive that does not exist and for one the caller may not know exists. */
    static ApiProblem noSuchArchive(String archiveNo) {
        return ApiProblem.localized(404, "api.archive.none", "archive", archiveNo);
    }

    /** {@code GET /api/archives/{archiveNo}[?categories=…][&purpose=…]}: the archive, section by category. */
    public void read(Exchange exchange) {
        String archiveNo = Request.archiveNo(exchange);
        Request request = Request.of(exchange);
        List<Category> asked = request.categories();
        Caller caller = Caller.of(exchange);
        String purpose = request.purpose();
        Set<Category> base = views.of(caller.role());
        Map<String, Object> body = new LinkedHashMap<>();
        List<Category> shown = new ArrayList<>();
        record Row(ArchiveReader.Head head, List<AccessRequests.LiveGrant> live, Map<Category, String> sections) {
        }
        // one statement, so one round trip and one snapshot: the head, the caller's live grants on the archive and every
        // section the caller may see of those asked for (issue 14: reads under load)
        Row row = jdbi.withHandle(h -> h.createQuery(READ).bind("archiveNo", archiveNo).bind("holder", caller.userId())
                .bind("candidates", (asked == null || asked.isEmpty() ? List.of(Category.values()) : asked).stream().map(Category::label).toArray(String[]::new))
                .bind("base", base.stream().map(Category::label).toArray(String[]::new))
                .bind("seesSealed", seesSealed(caller))
                .map((rs, ctx) -> {
                    Map<Category, String> sections = new EnumMap<>(Category.class);
                    for (Category category : Category.values()) sections.put(category, rs.getString("section_" + category.label()));
                    return new Row(ArchiveReader.head(rs), grants(rs.getString("grants")), sections);
                })
                .findOne().orElse(null));
        if (row == null || (row.head().sealed() && !seesSealed(caller))) throw noSuchArchive(archiveNo);
        ArchiveReader.Head head = row.head();
        Long grantUsed = null;
        Set<Category> widened = EnumSet.noneOf(Category.class);
        widened.addAll(base);
        for (AccessRequests.LiveGrant grant : row.live()) widened.addAll(grant.categories());
        if (asked != null && !asked.isEmpty()) {
            List<Category> outside = asked.stream().filter(a -> !widened.contains(a)).toList();
            if (!outside.isEmpty()) {
                throw ApiProblem.forbiddenFor(archiveNo, AccessRequests.labels(outside), "api.archive.not-seen",
                        "role", caller.role().label(), "categories", String.join(", ", AccessRequests.labels(outside)), "archive", archiveNo);
            }
            shown.addAll(asked);
        } else {
            shown.addAll(widened);
        }
        for (Category category : shown) {
            if (base.contains(category)) continue;
            for (AccessRequests.LiveGrant grant : row.live()) {
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
            body.put(category.label(), reader.section(category.label(), row.sections().get(category), head.id()));
        }
        boolean sealed = head.sealed();
        // no answer leaves without its audit entry: if the audit cannot be written the read fails
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "read", archiveNo, AccessRequests.labels(shown), purpose,
                grantUsed, AuditEntry.OK, Localized.of("audit.archive.read", "call", "GET /api/archives/" + archiveNo,
                "sealed", sealed ? "yes" : "no", "hasGrant", grantUsed == null ? "no" : "yes", "grant", grantUsed == null ? "" : grantUsed)));
        exchange.getMessage().setBody(body);
    }

    /** {@code GET /api/archives?mobile=…&name=…&archive_no=…}: at least one; all given must match. */
    public void search(Exchange exchange) {
        Request request = Request.of(exchange);
        Caller caller = Caller.of(exchange);
        String purpose = request.purpose();
        String mobileRaw = request.param("mobile");
        String name = request.param("name");
        String archiveNo = request.param("archive_no");
        if (mobileRaw == null && name == null && archiveNo == null) {
            throw ApiProblem.localized(400, "api.search.nothing");
        }
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new LinkedHashMap<>();
        List<String> criteria = new ArrayList<>();
        if (mobileRaw != null) {
            String mobile;
            try {
                mobile = MobileNumber.parse(mobileRaw).digits();
            } catch (InvalidValueException e) {
                // the value is not echoed: it may be someone's number with a typo, and errors are logged
                throw ApiProblem.localized(400, "api.search.mobile");
            }
            where.add("mobile = :mobile");
            params.put("mobile", mobile);
            criteria.add("mobile");
        }
        if (name != null) {
            if (name.length() > 100) throw ApiProblem.localized(400, "api.search.name-too-long", "max", "100");
            // the whole name or its beginning; % and _ typed by the caller are letters, not wildcards
            where.add("name like :namePrefix escape '\\'");
            params.put("namePrefix", name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            criteria.add("name");
        }
        if (archiveNo != null) {
            where.add("archive_no = :archiveNo");
            params.put("archiveNo", Request.archiveNo(archiveNo));
            criteria.add("archive_no");
        }
        if (!seesSealed(caller)) where.add("sealed_at is null and status <> 'sealed'");
        Set<Category> view = views.of(caller.role());
        boolean basic = view.contains(Category.BASIC);
        String sql = "select archive_no, name, tier, review_status, (sealed_at is not null or status = 'sealed') as sealed,"
                + " gender, birth_date, mobile, email from customer where " + String.join(" and ", where)
                + " order by (name = :name) desc, archive_no limit :limit";
        List<Map<String, Object>> found = jdbi.withHandle(h -> h.createQuery(sql).bindMap(params)
                .bind("name", name == null ? "" : name).bind("limit", searchLimit + 1)
                .map((rs, ctx) -> {
                    Map<String, Object> hit = new LinkedHashMap<>();
                    hit.put("archive_no", rs.getString("archive_no"));
                    hit.put("name", rs.getString("name"));
                    hit.put("tier", rs.getString("tier"));
                    hit.put("review_status", rs.getString("review_status"));
                    hit.put("sealed", rs.getBoolean("sealed"));
                    if (basic) {
                        hit.put("gender", rs.getString("gender"));
                        hit.put("birth_date", rs.getDate("birth_date") == null ? null : rs.getDate("birth_date").toLocalDate());
                        hit.put("mobile", rs.getString("mobile"));
                        hit.put("email", rs.getString("email"));
                    }
                    return hit;
                })
                .list());
        boolean capped = found.size() > searchLimit;
        if (capped) found = found.subList(0, searchLimit);
        List<String> numbers = found.stream().map(h -> (String) h.get("archive_no")).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", found.size());
        body.put("capped", capped);
        if (capped) {
            // said in the request's language (Accept-Language), else the service's
            body.put("note", dangan.i18n.Messages.ofAcceptLanguage(exchange.getMessage().getHeader("Accept-Language", String.class),
                    language).text("api.archive.search-capped", "limit", searchLimit));
        }
        body.put("categories", basic ? List.of(Category.BASIC.label()) : List.of());
        body.put("withheld", AccessRequests.labels(EnumSet.complementOf(toSet(view))));
        body.put("archives", found);
        // the criteria are named, not their values: the audit records who looked at which archives, not contact data
        audit.record(new AuditEntry(caller.name(), caller.role().label(), "search", numbers.size() == 1 ? numbers.get(0) : null,
                basic && !numbers.isEmpty() ? List.of(Category.BASIC.label()) : List.of(), purpose, null, AuditEntry.OK,
                Localized.of("audit.archive.search", "call", "GET /api/archives", "criteria", AuditText.fields(audit.messages(), criteria),
                        "count", numbers.size(), "capped", capped ? "yes" : "no", "archives", String.join(", ", numbers))));
        exchange.getMessage().setBody(body);
    }

    private static EnumSet<Category> toSet(Set<Category> categories) {
        return categories.isEmpty() ? EnumSet.noneOf(Category.class) : EnumSet.copyOf(categories);
    }
}
