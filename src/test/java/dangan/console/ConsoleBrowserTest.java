package dangan.console;

import dangan.access.Role;
import dangan.access.StaffDirectory;
import dangan.jobs.JobDate;
import dangan.support.RunningService;
import dangan.support.TestResources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real headless Chromium against the real service (real routes, real PostgreSQL,
 * the GBK sample and the bad-rows sample dropped into the real inbox): sign in, look up, request and
 * approve access, approve a tier line, the administrator's intake with its reject report, each role
 * seeing only its pages and fields, sign-out ending the session on the server. Screenshots of the
 * main pages go to target/screenshots/.
 */
@Tag("service")
@ResourceLock(TestResources.BROWSER)
class ConsoleBrowserTest {

    static final String PASSWORD = "correct-horse-battery";

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();
    static Browser browser;
    static String zhang;

    @BeforeAll
    static void start() throws Exception {
        dangan.drop("daily-report-gbk.csv", Path.of("test-data/registrations/daily-report-gbk.csv"));
        dangan.drop("bad-rows.csv", Path.of("test-data/bad/bad-rows.csv"));
        dangan.awaitHandled("daily-report-gbk.csv");
        dangan.awaitHandled("bad-rows.csv");
        zhang = (String) dangan.row("select archive_no from customer where mobile = '13800138000'").get("archive_no");
        StaffDirectory staff = dangan.bean("staffDirectory", StaffDirectory.class);
        for (Object[] user : new Object[][]{{"desk.li", Role.FRONT_DESK}, {"mgr.wang", Role.MANAGER}, {"admin.zhou", Role.ADMIN},
                {"audit.qian", Role.AUDITOR}, {"keeper.sun", Role.KEEPER}, {"svc.zhou", Role.SERVICE}}) {
            staff.addUser((String) user[0], (Role) user[1], "test");
            staff.setPassword((String) user[0], PASSWORD.toCharArray(), "test");
        }
        browser = new Browser(dangan.httpPort());
    }

    /**
     * One working day with the console, in the order it happens: each step builds on what the steps
     * before it left (the access request approved, the tier line taken, the name changed), so the
     * order is written here, once, rather than left to a method orderer. Each step is reported on
     * its own and ends signed out, even when it failed half-way, so that the next one starts from
     * the sign-in page.
     */
    @TestFactory
    Stream<DynamicTest> aWorkingDayWithTheConsole() {
        Map<String, Executable> day = new LinkedHashMap<>();
        day.put("aWrongPasswordIsRefusedInChineseAndAudited", this::aWrongPasswordIsRefusedInChineseAndAudited);
        day.put("theFrontDeskLooksUpAndSeesOnlyItsCategories", this::theFrontDeskLooksUpAndSeesOnlyItsCategories);
        day.put("theFrontDeskRequestsAccessAndAManagerApprovesIt", this::theFrontDeskRequestsAccessAndAManagerApprovesIt);
        day.put("aManagerApprovesOneTierLine", this::aManagerApprovesOneTierLine);
        day.put("theAdministratorSeesWhatBecameOfTheDroppedFiles", this::theAdministratorSeesWhatBecameOfTheDroppedFiles);
        day.put("theConsoleCannotShowWhatTheApiRefuses", this::theConsoleCannotShowWhatTheApiRefuses);
        day.put("signOutEndsTheSessionOnTheServer", this::signOutEndsTheSessionOnTheServer);
        day.put("englishOnAPhone", this::englishOnAPhone);
        day.put("theKeeperTakesAHeldChangeFromTheReviewPage", this::theKeeperTakesAHeldChangeFromTheReviewPage);
        day.put("theAdministratorRunsAJobNow", this::theAdministratorRunsAJobNow);
        day.put("theAuditorSeesTheKpiChartsAndTheVerifiedLog", this::theAuditorSeesTheKpiChartsAndTheVerifiedLog);
        day.put("serviceStaffSeeHealthButNotConsumption", this::serviceStaffSeeHealthButNotConsumption);
        return day.entrySet().stream().map(step -> DynamicTest.dynamicTest(step.getKey(), () -> {
            try {
                step.getValue().execute();
            } finally {
                signedOut();
            }
        }));
    }

    private void signedOut() {
        browser.driver.manage().window().setSize(new Dimension(1366, 768));
        List<WebElement> signOut = browser.driver.findElements(By.id("sign-out"));
        if (!signOut.isEmpty() && signOut.get(0).isDisplayed()) browser.signOut();
        ((org.openqa.selenium.JavascriptExecutor) browser.driver).executeScript("localStorage.removeItem('dangan.language')");
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.close();
    }

    private void aWrongPasswordIsRefusedInChineseAndAudited() throws Exception {
        browser.open("/");
        assertThat(browser.text(By.cssSelector("label[for=sign-in-name]"))).isEqualTo("用户名");
        // opening the sign-in page is not a failed authentication (those are audited and limited per address)
        assertThat(dangan.count("select count(*) from audit_log where action = 'denied'")).isZero();
        browser.screenshot("sign-in");
        long before = dangan.count("select count(*) from audit_log where action = 'denied' and detail like 'POST /api/session%'");
        browser.type(By.id("sign-in-name"), "desk.li");
        browser.type(By.id("sign-in-password"), "wrong-password-here");
        browser.click(By.cssSelector("#sign-in button[type=submit]"));
        assertThat(browser.text(By.cssSelector(".message.error"))).isEqualTo("用户名或密码错误。");
        assertThat(dangan.count("select count(*) from audit_log where action = 'denied' and detail like 'POST /api/session%'"))
                .isEqualTo(before + 1);
    }

    private void theFrontDeskLooksUpAndSeesOnlyItsCategories() throws Exception {
        browser.signIn("desk.li", PASSWORD);
        assertThat(navigation()).containsExactly("查询客户");
        browser.type(By.id("lookup-mobile"), "138-0013-8000");
        browser.type(By.id("lookup-purpose"), "入住登记");
        browser.click(By.id("lookup-search"));
        browser.awaitText(By.id("lookup-results"), "张伟");
        browser.screenshot("look-up");
        browser.click(By.linkText(zhang));
        browser.await(By.id("category-basic"));
        assertThat(browser.text(By.id("category-basic"))).contains("张伟", "13800138000");
        assertThat(browser.text(By.id("category-health"))).contains("已隐去");
        // what the API withholds is not on the page at all: no allergy, no ID number
        assertThat(browser.driver.getPageSource()).doesNotContain("花生").doesNotContain("440304199001011233");
        browser.screenshot("archive-front-desk");
        // the read was the API's, audited with the purpose typed on the page
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.li' and action = 'read' and archive_no = ? and purpose = '入住登记'",
                zhang)).isEqualTo(1);
    }

    private void theFrontDeskRequestsAccessAndAManagerApprovesIt() throws Exception {
        browser.signIn("desk.li", PASSWORD);
        browser.open("/#/archive/" + zhang);
        browser.click(By.id("request-health"));
        browser.type(By.id("request-purpose"), "过敏检查");
        browser.click(By.id("request-submit"));
        browser.awaitText(By.cssSelector("#request-access .message.ok"), "已提交");
        long id = ((Number) dangan.row("select id from access_request where requester = 'desk.li'").get("id")).longValue();
        browser.signOut();

        browser.signIn("mgr.wang", PASSWORD);
        assertThat(navigation()).containsExactly("查询客户", "审批", "复核", "档案健康");
        browser.open("/#/approvals");
        browser.awaitText(By.id("access-request-table"), "过敏检查");
        browser.screenshot("approvals");
        browser.click(By.id("approve-" + id));
        browser.awaitText(By.id("access-request-table"), "已批准");
        assertThat(dangan.row("select status from access_request where id = ?", id)).containsEntry("status", "approved");
        assertThat(dangan.count("select count(*) from access_grant where request_id = ? and approved_by = 'mgr.wang'", id)).isEqualTo(1);
        browser.signOut();

        browser.signIn("desk.li", PASSWORD);
        browser.open("/#/archive/" + zhang);
        browser.awaitText(By.id("category-health"), "花生");
        assertThat(browser.text(By.cssSelector(".message.ok"))).contains("授权", "有效至");
        assertThat(browser.text(By.id("category-identity"))).contains("已隐去"); // the grant was for health alone
        browser.screenshot("archive-with-grant");
        browser.signOut();
    }

    private void aManagerApprovesOneTierLine() throws Exception {
        dangan.rows("update customer set tier = 'A' where archive_no = ? returning id", zhang);
        dangan.service().camelContext().createProducerTemplate().sendBodyAndHeader("direct:job-annual-tier-review", null,
                JobDate.HEADER, LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(1));
        long proposal = ((Number) dangan.row("select id from tier_proposal").get("id")).longValue();
        int line = ((Number) dangan.row("select l.line_no from tier_proposal_line l join customer c on c.id = l.customer_id where l.proposal_id = ? and c.archive_no = ?",
                proposal, zhang).get("line_no")).intValue();
        String proposed = (String) dangan.row("select new_tier::text as t from tier_proposal_line where proposal_id = ? and line_no = ?",
                proposal, line).get("t");
        browser.signIn("mgr.wang", PASSWORD);
        browser.open("/#/approvals");
        browser.click(By.id("tier-show-" + proposal));
        browser.click(By.id("tier-line-" + proposal + "-" + line));
        browser.click(By.id("tier-approve-" + proposal));
        browser.awaitText(By.id("tier-proposals"), "已批准 1 行");
        browser.screenshot("approvals-tiers");
        assertThat(dangan.row("select tier::text as t from customer where archive_no = ?", zhang)).containsEntry("t", proposed);
        assertThat(dangan.count("select count(*) from tier_proposal_line where proposal_id = ? and status = 'open'", proposal))
                .isEqualTo(dangan.count("select count(*) from tier_proposal_line where proposal_id = ?", proposal) - 1);
        browser.signOut();
    }

    private void theAdministratorSeesWhatBecameOfTheDroppedFiles() throws Exception {
        browser.signIn("admin.zhou", PASSWORD);
        assertThat(navigation()).containsExactly("导入结果", "任务与通知");
        browser.awaitText(By.id("ingest-table"), "bad-rows.csv");
        long ingest = ((Number) dangan.row("select id from ingest where source_name = 'bad-rows.csv'").get("id")).longValue();
        browser.click(By.id("ingest-" + ingest));
        browser.awaitText(By.id("ingest-issues"), "拒绝");
        List<WebElement> lines = browser.driver.findElements(By.cssSelector("#ingest-issues tbody tr"));
        assertThat(lines).hasSize((int) dangan.count("select count(*) from intake_issue where ingest_id = ?", ingest));
        browser.screenshot("intake");
        // the reject report comes down through the session, byte for byte the file in outbox/rejects
        assertThat(browser.fetch("GET", "/api/ingests/" + ingest + "/rejects.csv", false)).startsWith("200 行,结果,列,值,原因");
        HttpResponse<byte[]> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + dangan.httpPort() + "/api/ingests/" + ingest + "/rejects.csv"))
                .header("Cookie", "dangan_session=" + browser.driver.manage().getCookieNamed("dangan_session").getValue()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("bad-rows.csv.rejects.csv"));
        assertThat(download.body()).isEqualTo(Files.readAllBytes(dangan.rejectReport("bad-rows.csv")));
        assertThat(dangan.count("select count(*) from audit_log where actor = 'admin.zhou' and action = 'export'")).isEqualTo(2);
        assertThat(browser.driver.findElement(By.id("download-rejects")).getAttribute("href")).endsWith("/api/ingests/" + ingest + "/rejects.csv");
        browser.signOut();
    }

    private void theConsoleCannotShowWhatTheApiRefuses() throws Exception {
        browser.signIn("desk.li", PASSWORD);
        browser.open("/#/intake");
        browser.awaitText(By.cssSelector("main .message.error"), "您的角色不能查看此页面");
        // and the page's own session, asking the API directly, is refused and audited
        assertThat(browser.fetch("GET", "/api/ingests", false)).startsWith("403 ");
        assertThat(browser.fetch("GET", "/api/archives/" + zhang + "?categories=identity", false)).startsWith("403 ");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'desk.li' and action = 'denied'")).isEqualTo(2);
        // a state-changing call without the CSRF token is refused even with the session cookie
        assertThat(browser.fetch("POST", "/api/access-grants/1/return", false)).startsWith("403 ").contains("CSRF");
        browser.signOut();
    }

    private void signOutEndsTheSessionOnTheServer() throws Exception {
        browser.signIn("keeper.sun", PASSWORD);
        String cookie = browser.driver.manage().getCookieNamed("dangan_session").getValue();
        assertThat(browser.driver.manage().getCookieNamed("dangan_session").isHttpOnly()).isTrue();
        assertThat(withCookie(cookie)).isEqualTo(200);
        browser.signOut();
        assertThat(withCookie(cookie)).isEqualTo(401);
        assertThat(dangan.row("select ended_at is not null as ended from console_session s join staff_user u on u.id = s.user_id"
                + " where u.name = 'keeper.sun'")).containsEntry("ended", true);
    }

    private void englishOnAPhone() throws Exception {
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.signIn("desk.li", PASSWORD);
            new org.openqa.selenium.support.ui.Select(browser.await(By.id("language"))).selectByValue("en");
            browser.awaitText(By.cssSelector("label[for=lookup-mobile]"), "Mobile");
            Number overflow = (Number) ((org.openqa.selenium.JavascriptExecutor) browser.driver)
                    .executeScript("return document.documentElement.scrollWidth - window.innerWidth");
            assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
            browser.screenshot("look-up-phone-en");
        } finally {
            browser.driver.manage().window().setSize(new Dimension(1366, 768));
        }
    }

    private void theKeeperTakesAHeldChangeFromTheReviewPage() throws Exception {
        dangan.drop("renamed.csv", "姓名,手机,病历\n张小伟,13800138000,哮喘复诊\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("renamed.csv");
        long change = ((Number) dangan.row("select id from pending_change where field = 'name' and status = 'pending'").get("id")).longValue();
        long held = ((Number) dangan.row("select id from pending_change where field = 'held:病历' and status = 'pending'").get("id")).longValue();
        browser.signIn("keeper.sun", PASSWORD);
        assertThat(navigation()).containsExactly("查询客户", "复核");
        browser.open("/#/review");
        browser.awaitText(By.id("review-change-table"), "张小伟");
        assertThat(browser.text(By.id("review-change-table"))).contains("张伟", "renamed.csv", "daily-report-gbk.csv");
        browser.screenshot("review");
        // a held sensitive column: the keeper sees it sealed and may only reject it (D-24)
        assertThat(browser.text(By.id("review-change-table"))).contains("暂扣的敏感列：病历").doesNotContain("哮喘");
        assertThat(browser.driver.findElements(By.id("review-accept-" + held))).isEmpty();
        browser.click(By.id("review-accept-" + change));
        browser.awaitText(By.id("review-change-table"), "已处理");
        assertThat(dangan.row("select name from customer where archive_no = ?", zhang)).containsEntry("name", "张小伟");
        assertThat(dangan.count("select count(*) from change_log l join customer c on c.id = l.customer_id"
                + " where c.archive_no = ? and l.field = 'name' and l.changed_by = 'keeper.sun'", zhang)).isEqualTo(1);
        browser.signOut();

        // the manager files it as allergies, chosen on the page; sealed in the archive, never shown in clear here
        browser.signIn("mgr.wang", PASSWORD);
        browser.open("/#/review");
        browser.awaitText(By.id("review-change-table"), "暂扣的敏感列：病历");
        new org.openqa.selenium.support.ui.Select(browser.await(By.id("review-as-" + held))).selectByValue("allergies");
        browser.click(By.id("review-accept-" + held));
        browser.awaitText(By.id("review-change-table"), "已处理");
        assertThat(dangan.row("select status, decided_by from pending_change where id = ?", held))
                .containsEntry("status", "accepted").containsEntry("decided_by", "mgr.wang");
        assertThat(dangan.count("select count(*) from health_fact f join customer c on c.id = f.customer_id"
                + " join ingest g on g.id = f.source_ingest_id where c.archive_no = ? and f.kind = 'allergy'"
                + " and g.source_name = 'renamed.csv'", zhang)).isEqualTo(1);
        browser.signOut();
    }

    private void theAdministratorRunsAJobNow() throws Exception {
        browser.signIn("admin.zhou", PASSWORD);
        browser.open("/#/jobs");
        browser.awaitText(By.id("job-table"), "completeness");
        browser.click(By.id("run-completeness"));
        browser.awaitText(By.id("jobs"), "completeness");
        browser.awaitText(By.cssSelector("#jobs .message"), "任务 completeness 已运行：done");
        assertThat(dangan.row("select status, instance from job_run where job = 'completeness'"))
                .containsEntry("status", "done").containsEntry("instance", "api:admin.zhou");
        assertThat(dangan.count("select count(*) from audit_log where actor = 'admin.zhou' and action = 'run-job'")).isEqualTo(1);
        assertThat(browser.text(By.id("parked"))).contains("没有暂停的通知");
        browser.screenshot("jobs");
        browser.signOut();
    }

    private void theAuditorSeesTheKpiChartsAndTheVerifiedLog() throws Exception {
        browser.signIn("audit.qian", PASSWORD);
        assertThat(navigation()).containsExactly("档案健康", "审计日志");
        browser.open("/#/health");
        browser.await(By.cssSelector("#chart-completeness canvas"));
        browser.await(By.cssSelector("#chart-accuracy canvas"));
        // the chart's text alternative carries the figures of /api/kpi: the rejected share of registrations this month
        assertThat(browser.driver.findElement(By.id("chart-accuracy")).getAttribute("aria-label")).contains("registrations");
        assertThat(browser.driver.findElement(By.id("chart-accesses")).getAttribute("aria-label")).contains("desk.li");
        browser.screenshot("health");
        browser.open("/#/audit");
        browser.awaitText(By.id("audit-chain"), "审计链完整");
        browser.awaitText(By.id("audit-table"), "sign-in");
        browser.screenshot("audit");
        browser.signOut();
    }

    private void serviceStaffSeeHealthButNotConsumption() throws Exception {
        browser.signIn("svc.zhou", PASSWORD);
        assertThat(navigation()).containsExactly("查询客户");
        browser.open("/#/archive/" + zhang);
        browser.awaitText(By.id("category-health"), "花生");
        // the held column the manager filed as allergies (theKeeperTakesAHeldChangeFromTheReviewPage), opened for this view
        assertThat(browser.text(By.id("category-health"))).contains("哮喘复诊");
        assertThat(browser.text(By.id("category-consumption"))).contains("已隐去");
        assertThat(browser.driver.findElements(By.cssSelector("#category-consumption table"))).isEmpty();
        assertThat(browser.driver.getPageSource()).doesNotContain("440304199001011233");
    }

    private List<String> navigation() {
        browser.await(By.cssSelector("#nav a"));
        return browser.driver.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList();
    }

    private int withCookie(String cookie) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + dangan.httpPort() + "/api/session"))
                .header("Cookie", "dangan_session=" + cookie).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }
}
