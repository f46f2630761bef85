package dangan.audit;

import dangan.access.Role;
import dangan.jobs.JobDate;
import dangan.support.ApiClient;
import dangan.support.RunningService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: with {@code dangan.locale=en} the audit log's entries and the change register's reasons are written in
 * English, from the same keys (bundle area {@code audit}) that say them in Chinese by default — the families a person
 * reads in the audit listing and the change history: the filing, staff, a grant, the customer's export, a correction,
 * a revert, a tier change and a destruction, each through the real API. The Chinese texts are asserted where each family is tested
 * (AuditApiTest, ArchiveApiTest, CustomerRightsTest, RevertIngestTest, TiersTest, DestructionTest, UserCommandTest).
 * The keyed chain holds over them ({@code audit verify}).
 */
@Tag("service")
class AuditLanguageTest {

    @TempDir
    static Path home;

    static RunningService dangan;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> settings = RunningService.freshDatabase();
        settings.put("dangan.locale", "en");
        dangan = RunningService.start(home, settings);
    }

    @AfterAll
    static void stop() {
        if (dangan != null) dangan.close();
    }

    @Test
    void entriesAndReasonsAreWrittenInTheConfiguredLanguage() throws Exception {
        dangan.drop("cards.csv", "姓名,手机,地址\n张三,13700000001,北京\n李四,13700000002,上海\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("cards.csv");
        dangan.drop("moved.csv", "姓名,手机,地址\n张三,13700000001,天津\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("moved.csv");
        long cards = id("cards.csv");
        long moved = id("moved.csv");
        String zhang = archive("13700000001");
        String li = archive("13700000002");
        assertThat(detail("action = 'change' and actor = 'system:registrations' and detail like ?", "%#" + cards + ":%"))
                .isEqualTo("ingest #" + cards + ": new 2, updated 0, review 0, rejected 0");
        assertThat(dangan.row("select reason from change_log where field = 'address'")).containsEntry("reason", "intake of moved.csv");

        // staff: the role as the policies name it
        ApiClient manager = ApiClient.asNewUser(dangan, "mgr.en", Role.MANAGER);
        ApiClient second = ApiClient.asNewUser(dangan, "mgr.two", Role.MANAGER);
        ApiClient keeper = ApiClient.asNewUser(dangan, "keeper.en", Role.KEEPER);
        ApiClient desk = ApiClient.asNewUser(dangan, "desk.en", Role.FRONT_DESK);
        assertThat(detail("action = 'user-add' and detail like ?", "user desk.en %")).isEqualTo("user desk.en with role front desk");

        // a grant (D-25)
        long request = desk.post("/api/access-requests", "{\"archive_nos\": [\"" + zhang + "\"], \"categories\": [\"health\"],"
                + " \"purpose\": \"allergy check\", \"days\": 2}").json().get("id").asLong();
        long grant = manager.post("/api/access-requests/" + request + "/approve", "{}").json().get("grant").get("id").asLong();
        assertThat(detail("action = 'approve' and actor = 'mgr.en' and grant_id = ?", grant))
                .isEqualTo("access request #" + request + " of desk.en approved: grant #" + grant + " for 2 days on archives " + zhang);

        // the customer's access request, answered with the whole archive (D-28): a second person approves the export
        long asked = desk.post("/api/archives/" + zhang + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}").json().get("id").asLong();
        assertThat(detail("action = 'request' and archive_no = ?", zhang)).startsWith("access request #" + asked + " received via desk, due ");
        assertThat(manager.post("/api/subject-requests/" + asked + "/approve-export", "{}").status()).isEqualTo(200);
        ApiClient.Reply export = keeper.get("/api/archives/" + zhang + "/export?request_id=" + asked);
        assertThat(export.status()).as(export.text()).isEqualTo(200);
        assertThat(dangan.row("select purpose, detail from audit_log where action = 'export' and archive_no = ?", zhang))
                .containsEntry("purpose", "access request #" + asked)
                .containsEntry("detail", "whole archive exported for the customer's access request #" + asked + ": "
                        + export.json().get("facts_total").asInt() + " facts, by keeper.en, approved by mgr.en");
        // the texts stored for people (bundle area records) follow the same setting
        assertThat(dangan.row("select outcome from subject_request where id = ?", asked))
                .containsEntry("outcome", "archive exported as JSON (" + export.json().get("facts_total").asInt() + " facts)");

        // a correction (D-28)
        ApiClient.Reply corrected = keeper.post("/api/archives/" + li + "/corrections",
                "{\"reason\": \"phoned in\", \"changes\": {\"mobile\": \"13700000009\"}}");
        assertThat(corrected.status()).as(corrected.text()).isEqualTo(200);
        assertThat(detail("action = 'change' and actor = 'keeper.en' and archive_no = ?", li)).isEqualTo("corrected mobile");
        assertThat(dangan.row("select source from change_log l join customer c on c.id = l.customer_id where c.archive_no = ?"
                + " and l.changed_by = 'keeper.en'", li)).containsEntry("source", "correction without request (archive keeper keeper.en)");

        // a revert: the restored address says why in the change register
        ApiClient.Reply reverted = manager.post("/api/ingests/" + moved + "/revert", "");
        assertThat(reverted.status()).as(reverted.text()).isEqualTo(200);
        assertThat(detail("action = 'revert' and actor = 'mgr.en'")).isEqualTo("revert of ingest #" + moved + " (moved.csv): 0 archive(s)"
                + " removed, 1 field(s) restored, 0 fact(s) removed, 0 review(s) and 0 notification(s) withdrawn, 0 exception(s)");
        assertThat(dangan.row("select reason, source, reverts_ingest_id from change_log where field = 'address' order by id desc limit 1"))
                .containsEntry("reason", "revert of ingest #" + moved + " (moved.csv)").containsEntry("source", "ingest revert #" + moved)
                .containsEntry("reverts_ingest_id", moved);

        // a tier change (D-19): the annual review proposes, a manager approves
        dangan.rows("update customer set tier = 'A' returning id");
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-annual-tier-review", null,
                JobDate.HEADER, LocalDate.of(2028, 1, 1));
        long proposal = ((Number) dangan.row("select max(id) as id from tier_proposal").get("id")).longValue();
        ApiClient.Reply approved = manager.post("/api/tier-proposals/" + proposal + "/approve", "{}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        assertThat(detail("action = 'approve' and actor = 'mgr.en' and grant_id is null and purpose is null"))
                .isEqualTo("tier proposal #" + proposal + ": 2 line(s) approved and applied (all open lines)");
        assertThat((String) dangan.row("select reason from change_log where field = 'tier' order by id limit 1").get("reason"))
                .matches("tier proposal #" + proposal + " line \\d+ \\(annual tier review as of 1 January 2028\\), approved: 0 visits,"
                        + " ¥0\\.00 in the window");

        // a destruction (D-31): proposed by the keeper, approved by a manager
        long destruction = keeper.post("/api/destruction-proposals", "{\"archive_nos\": [\"" + li + "\"], \"reason\": \"damaged\"}")
                .json().get("id").asLong();
        assertThat(detail("action = 'propose-destruction' and archive_no = ?", li))
                .isEqualTo("destruction proposal #" + destruction + " line 1 (damaged) awaits a manager");
        ApiClient.Reply destroyed = second.post("/api/destruction-proposals/" + destruction + "/approve",
                "{\"method\": \"destroy\", \"reason\": \"water damage\"}");
        assertThat(destroyed.status()).as(destroyed.text()).isEqualTo(200);
        assertThat(detail("action = 'destroy' and archive_no = ?", li)).matches("destruction proposal #" + destruction
                + " line 1 approved: rows deleted, customer keys destroyed, \\d+ rows in \\d+ tables, destruction record #\\d+;"
                + " reason: water damage");
        assertThat(dangan.row("select method, purpose from destruction_record r join audit_log a on a.archive_no = r.archive_no"
                + " and a.action = 'destroy' where r.archive_no = ?", li))
                .containsEntry("method", "rows deleted, customer keys destroyed").containsEntry("purpose", "destruction: damaged archive");

        // the keyed chain holds over every entry written in either language
        assertThat(dangan.service().camelContext().getRegistry().lookupByNameAndType("auditTrail", AuditTrail.class).verify().brokenAt())
                .isNull();
    }

    private static long id(String file) throws Exception {
        return ((Number) dangan.row("select id from ingest where source_name = ?", file).get("id")).longValue();
    }

    private static String archive(String mobile) throws Exception {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }

    /** The detail of the one entry that matches. */
    private static String detail(String where, Object... params) throws Exception {
        return (String) dangan.row("select detail from audit_log where " + where, params).get("detail");
    }
}
