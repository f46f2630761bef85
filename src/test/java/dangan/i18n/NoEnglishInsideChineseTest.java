package dangan.i18n;

import com.fasterxml.jackson.databind.JsonNode;
import dangan.access.Role;
import dangan.support.ApiClient;
import dangan.support.Commands;
import dangan.support.RunningService;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof of "no English inside the Chinese" (issue 12): realistic Chinese input with problems goes through the
 * real routes, and every text people read — the reject report, the {@code .error.txt}, the API's answers, a
 * command's output — is checked for English words. What is not a word people read is left out first: quoted
 * values and field names ({@code "score"}, as the payload or the file named them), and code-like tokens with
 * digits or punctuation (configuration keys, headers, paths, file names, ISO times, {@code D-32}); what then
 * remains in ASCII letters must be one of the short {@link #ALLOWED} names of formats and protocols.
 */
@Tag("service")
class NoEnglishInsideChineseTest {

    @RegisterExtension
    static final RunningService dangan = RunningService.perClass();

    /** Names of formats, protocols and schemes people meet as they are, in Chinese text too. */
    static final Set<String> ALLOWED = Set.of("CSV", "XLSX", "JSON", "UTF", "GBK", "ID", "API", "POST", "GET", "HTTP",
            "HTTPS", "PDF", "ISO", "Excel", "Authorization", "Bearer", "Dangan", "KPI");

    private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"|“[^”]*”|'[^']*'");
    /** A token with a digit or punctuation inside: a key, a header, a path, a file name, a time, a code. */
    private static final Pattern CODE = Pattern.compile(
            "[A-Za-z0-9_$]*(?:[0-9]|[_.:/@<>=$\\[\\]#-](?=[A-Za-z0-9_$\\[/<]))[A-Za-z0-9_.:/@<>=$\\[\\]#+-]*");
    private static final Pattern WORD = Pattern.compile("[A-Za-z]{2,}");

    /** The English words of a text people read, after quoted values and code-like tokens are left out. */
    static Set<String> englishWords(String text) {
        String left = CODE.matcher(QUOTED.matcher(text).replaceAll(" ")).replaceAll(" ");
        Set<String> words = new TreeSet<>();
        Matcher m = WORD.matcher(left);
        while (m.find()) {
            if (!ALLOWED.contains(m.group())) words.add(m.group());
        }
        return words;
    }

    private static void noEnglish(String where, List<String> texts) {
        assertThat(texts).as(where).isNotEmpty();
        List<String> found = new ArrayList<>();
        for (String text : texts) {
            if (!englishWords(text).isEmpty()) found.add(englishWords(text) + " in: " + text);
        }
        assertThat(found).as("English words inside the Chinese of " + where).isEmpty();
    }

    @Test
    void theCheckFindsEnglishAndLeavesCodesAlone() {
        assertThat(englishWords("第 3 份回复（$[2]）：\"score\" 必须是 1–5 的整数，实际是 \"five\"")).isEmpty();
        assertThat(englishWords("档案 202611001 已封存（D-32）：请经理解封（POST /api/archives/202611001/unseal）")).isEmpty();
        assertThat(englishWords("dangan.surveys.requests-per-minute，X-Dangan-Timestamp，2026-12-06T02:43:44Z 的检查点")).isEmpty();
        assertThat(englishWords("第 3 份回复：\"score\" must be a whole number 1–5")).containsExactly("be", "must", "number", "whole");
        assertThat(englishWords("2,警告,email,gj@example.cn,已属于档案")).containsExactly("email");
        assertThat(englishWords("没有恢复任何内容（Nothing was restored.）")).containsExactly("Nothing", "restored", "was");
    }

    @Test
    void aChineseRegistrationFileWithProblemsIsReportedInChinese() throws Exception {
        dangan.drop("会员登记-周一.csv", "姓名,手机,出生日期,邮箱\n杨过,13566660001,1990-01-01,yg@example.cn\n"
                + "郭靖,13566660002,1985-05-05,gj@example.cn\n", StandardCharsets.UTF_8);
        assertThat(dangan.awaitHandled("会员登记-周一.csv").toString()).contains("/done/");
        // exported from Excel as GBK, with the headings a spa's front desk uses, and a problem on nearly every line
        String file = "客户姓名,性别,生日,手机号码,身份证号,电子邮箱,消费金额,消费日期\n"
                + ",女,1990-01-01,13800000001,,,100,2026-09-01\n"                 // no name
                + "钱七,男,1991-02-03,12345,,,,\n"                                  // a mobile that is not one
                + "孙八,男,1988-13-45,13800000002,,,abc,2026-02-30\n"               // no such dates, an amount that is not one
                + "周九,未知,1970-01-01,13800000003,440304199001011234,,,\n"         // an ID number that does not check out
                + "杨过,男,1991-02-02,13566660001,,gj@example.cn,,\n";              // another birth date; 郭靖's e-mail
        dangan.drop("会员登记-周二.csv", file, Charset.forName("GBK"));
        dangan.awaitHandled("会员登记-周二.csv");

        String report = Files.readString(dangan.rejectReport("会员登记-周二.csv"), StandardCharsets.UTF_8);
        List<CSVRecord> records = CSVFormat.EXCEL.parse(new StringReader(report.substring(1))).getRecords();
        List<String> read = new ArrayList<>();
        for (CSVRecord r : records) read.add(r.get(1) + " " + r.get(2) + " " + r.get(4)); // outcome, column, reason
        assertThat(records.size()).as(report).isGreaterThan(6);
        assertThat(report).contains("生日").contains("电子邮箱"); // the merge's warnings name the file's own columns
        noEnglish("the reject report", read);

        dangan.drop("corrupt.xlsx", Path.of("test-data/bad/corrupt.xlsx"));
        Path kept = dangan.awaitHandled("corrupt.xlsx");
        noEnglish("the .error.txt of an unreadable file", Files.readAllLines(kept.resolveSibling(kept.getFileName() + ".error.txt")));
    }

    @Test
    void surveysWithProblemsAreAnsweredInChinese() throws Exception {
        ApiClient platform = ApiClient.asSurveySource(dangan);
        ApiClient.Reply answer = platform.post("/api/surveys", """
                [{"survey_id": "sw-1", "customer": {"mobile": "13566669001"}, "score": "five"},
                 {"survey_id": "sw-2", "score": 3},
                 {"survey_id": "sw-3", "customer": {"mobile": "12345", "archive_no": "202611999"}, "score": 4, "nps": 11},
                 {"survey_id": "sw-4", "customer": {"email": "a@b.cn"}, "score": 4, "submitted_at": "20.11.2026",
                  "answers": "yes", "consent": {"marketing": "maybe"}},
                 42,
                 {"survey_id": "sw-5", "customer": {"mobile": "13566669005", "email": "not-an-email"}, "score": 5,
                  "consent": {"marketing": "也许"}}]""");
        List<String> read = new ArrayList<>();
        for (JsonNode reject : answer.json().path("rejects")) read.add(reject.path("reason").asText());
        for (JsonNode warning : answer.json().path("warnings")) read.add(warning.path("reason").asText());
        assertThat(read).as(answer.text()).hasSizeGreaterThan(6);
        noEnglish("the answer to a survey POST", read);

        ApiClient.Reply nobody = ApiClient.withToken(dangan, null).post("/api/surveys", "{\"survey_id\": \"sw-6\", \"score\": 3}");
        assertThat(nobody.status()).isEqualTo(401);
        noEnglish("a survey POST without a credential", List.of(nobody.json().path("error").asText()));

        Path inbox = dangan.dropInto("surveys", "问卷-周二.json", """
                [{"survey_id": "sw-7", "customer": {"mobile": "13566660001"}, "score": 5},
                 {"survey_id": "sw-8", "customer": {"mobile": "13566660001"}, "score": 0}]""", StandardCharsets.UTF_8);
        Path kept = RunningService.awaitHandled(inbox, "问卷-周二.json", Duration.ofSeconds(60));
        noEnglish("the .error.txt of a survey file", Files.readAllLines(kept.resolveSibling(kept.getFileName() + ".error.txt")));
    }

    @Test
    void aSealedArchiveIsExplainedInChinese() throws Exception {
        dangan.drop("封存.csv", "姓名,手机\n封存甲,13566667001\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("封存.csv");
        String archive = (String) dangan.row("select archive_no from customer where mobile = ?", "13566667001").get("archive_no");
        long customer = ((Number) dangan.row("select id from customer where archive_no = ?", archive).get("id")).longValue();
        long ingest = ((Number) dangan.row("select max(id) as id from ingest").get("id")).longValue();
        dangan.rows("update customer set sealed_at = now(), sealed_by = 'test', sealed_reason = '法院要求', status = 'sealed'"
                + " where id = ? returning id", customer);
        long held = ((Number) dangan.row("""
                insert into pending_change (customer_id, field, current_value, proposed_value, reason, source_ingest_id, source_line)
                values (?, 'name', '封存甲', '封存乙', '测试', ?, 2) returning id""", customer, ingest).get("id")).longValue();
        List<String> read = new ArrayList<>();

        ApiClient keeper = ApiClient.asNewUser(dangan, "keeper.sweep", Role.KEEPER);
        ApiClient.Reply accept = keeper.post("/api/review/" + held + "/accept", "");
        assertThat(accept.status()).as(accept.text()).isEqualTo(409);
        read.add(accept.json().path("error").asText());

        ApiClient.asSurveySource(dangan).post("/api/surveys", "{\"survey_id\": \"sealed-1\", \"customer\": {\"mobile\": \"13566667001\"},"
                + " \"score\": 4}");
        for (JsonNode pending : keeper.get("/api/surveys/review").json().path("pending")) read.add(pending.path("reason").asText());
        assertThat(read).anyMatch(text -> text.contains(archive));

        dangan.drop("封存-再来.csv", "姓名,手机,地址\n封存甲,13566667001,杭州\n", StandardCharsets.UTF_8);
        dangan.awaitHandled("封存-再来.csv");
        for (CSVRecord r : CSVFormat.EXCEL.parse(new StringReader(
                Files.readString(dangan.rejectReport("封存-再来.csv"), StandardCharsets.UTF_8).substring(1))).getRecords()) {
            read.add(r.get(1) + " " + r.get(4));
        }
        noEnglish("what is said of a sealed archive", read);
    }

    @Test
    void aBrokenAuditChainIsExplainedInChinese() throws Exception {
        ApiClient auditor = ApiClient.asNewUser(dangan, "audit.sweep", Role.AUDITOR);
        long first = ((Number) dangan.row("select min(id) as id from audit_log").get("id")).longValue();
        try (Connection c = dangan.service().database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("alter table audit_log disable trigger user; update audit_log set detail = '改过' where id = " + first
                    + "; alter table audit_log enable trigger user");
        }
        Commands.Run verify = Commands.run(dangan.service().settings(), "audit", "verify");
        assertThat(verify.status()).isEqualTo(1);
        JsonNode answer = auditor.get("/api/audit/verify").json();
        assertThat(answer.path("intact").asBoolean()).isFalse();
        noEnglish("audit verify and GET /api/audit/verify of a broken chain",
                List.of((verify.out() + verify.err()).strip(), answer.path("broken").asText()));
    }

    @Test
    void whatTheArchiveKeepsOfRequestsAndDecisionsIsInChinese() throws Exception {
        dangan.drop("请求与决定.csv", "姓名,手机,过敏\n请求甲,13566668001,花生\n请求乙,13566668002,\n请求丙,13566668003,\n请求丁,13566668004,\n",
                StandardCharsets.UTF_8);
        dangan.awaitHandled("请求与决定.csv");
        String jia = archiveOf("13566668001");
        String yi = archiveOf("13566668002");
        String bing = archiveOf("13566668003");
        String ding = archiveOf("13566668004");
        ApiClient desk = ApiClient.asNewUser(dangan, "desk.stored", Role.FRONT_DESK);
        ApiClient keeper = ApiClient.asNewUser(dangan, "keeper.stored", Role.KEEPER);
        ApiClient manager = ApiClient.asNewUser(dangan, "manager.stored", Role.MANAGER);
        List<String> read = new ArrayList<>();

        // an export: the access request's outcome, and the document the customer reads (in English when asked so)
        long access = accessRequestApproved(desk, manager, jia);
        ApiClient.Reply export = keeper.get("/api/archives/" + jia + "/export?request_id=" + access);
        assertThat(export.status()).as(export.text()).isEqualTo(200);
        read.add(export.json().path("about").asText());
        ApiClient.Reply english = keeper.get("/api/archives/" + jia + "/export?request_id=" + accessRequestApproved(desk, manager, jia), "en");
        assertThat(english.json().path("about").asText()).startsWith("Everything this archive holds").doesNotContainPattern("\\p{IsHan}");

        // a correction without a request; a refused deletion; a destruction; a sealing undone
        ApiClient.Reply corrected = keeper.post("/api/archives/" + yi + "/corrections",
                "{\"reason\": \"客户来电更正\", \"changes\": {\"address\": \"杭州西湖区\"}}");
        assertThat(corrected.status()).as(corrected.text()).isEqualTo(200);
        long kept = desk.post("/api/archives/" + yi + "/deletion-request", "{\"via\": \"desk\"}").json().path("proposal_id").asLong();
        assertThat(manager.post("/api/destruction-proposals/" + kept + "/reject", "{\"reason\": \"合同尚未结束\"}").status()).isEqualTo(200);
        long gone = desk.post("/api/archives/" + bing + "/deletion-request", "{\"via\": \"phone\"}").json().path("proposal_id").asLong();
        ApiClient.Reply destroyed = manager.post("/api/destruction-proposals/" + gone + "/approve",
                "{\"method\": \"destroy\", \"reason\": \"已核实身份\"}");
        assertThat(destroyed.status()).as(destroyed.text()).isEqualTo(200);
        long sealing = desk.post("/api/archives/" + ding + "/deletion-request", "{\"via\": \"letter\"}").json().path("proposal_id").asLong();
        assertThat(manager.post("/api/destruction-proposals/" + sealing + "/approve", "{\"method\": \"seal\", \"reason\": \"尚有法律纠纷\"}")
                .status()).isEqualTo(200);
        ApiClient.Reply unsealed = manager.post("/api/archives/" + ding + "/unseal", "{\"reason\": \"已补全\"}");
        assertThat(unsealed.status()).as(unsealed.text()).isEqualTo(200);

        // the requests' outcomes, the change register's sources, the destruction record: as the API, psql and the console show them
        for (String archive : List.of(jia, yi, bing, ding)) {
            for (JsonNode r : manager.get("/api/subject-requests?status=all&archive_no=" + archive).json().path("requests")) {
                read.add(r.path("outcome").asText());
            }
        }
        assertThat(read).as("the export, two exports' outcomes, a refused and a done deletion, a sealing").hasSize(6).doesNotContain("");
        for (String archive : List.of(yi, ding)) {
            for (JsonNode change : manager.get("/api/archives/" + archive + "/history").json().path("changes")) {
                if (change.path("source").hasNonNull("note")) read.add(change.path("source").path("note").asText());
            }
        }
        assertThat(read).as("a correction's source, the sealing's and the unsealing's").hasSize(9);
        Map<String, Object> record = dangan.row("select method, originals::text as originals from destruction_record where archive_no = ?", bing);
        read.add((String) record.get("method"));
        for (JsonNode original : new com.fasterxml.jackson.databind.ObjectMapper().readTree((String) record.get("originals"))) {
            read.add(original.path("state").asText());
        }
        read.add((String) dangan.row("select purpose from audit_log where action = 'destroy' and archive_no = ?", bing).get("purpose"));
        noEnglish("the outcomes of requests, the change register's sources, the destruction record", read);
    }

    @Test
    void aFailedJobIsExplainedInChineseAndInEnglishOnRequest() throws Exception {
        ApiClient admin = ApiClient.asNewUser(dangan, "admin.jobs", Role.ADMIN);
        // a reason of Dangan's own: the backup folder is a file
        Path backups = dangan.home().resolve("backups");
        if (Files.isDirectory(backups)) {
            try (var files = Files.list(backups)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(backups);
        }
        Files.writeString(backups, "不是文件夹");
        ApiClient.Reply backup;
        ApiClient.Reply backupInEnglish;
        try {
            backup = admin.post("/api/jobs/backup/run", "{}");
            backupInEnglish = admin.post("/api/jobs/backup/run", "{}", "en");
        } finally {
            Files.delete(backups); // the folder comes back for the other tests' destructions (their keyring)
        }
        // no reason of its own: the database refuses the statement (its table is away for a moment)
        ApiClient.Reply review;
        try (Connection c = dangan.service().database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("alter table tier_proposal rename to tier_proposal_away");
            try {
                review = admin.post("/api/jobs/annual-tier-review/run", "{}");
            } finally {
                st.execute("alter table tier_proposal_away rename to tier_proposal");
            }
        }
        assertThat(backup.json().path("status").asText()).as(backup.text()).isEqualTo("failed");
        assertThat(review.json().path("status").asText()).as(review.text()).isEqualTo("failed");
        assertThat(backup.json().path("error").asText()).contains("备份未完成").contains("backups");
        assertThat(review.json().path("error").asText()).isEqualTo("任务失败：数据库出错（详情见服务日志）");
        assertThat(backupInEnglish.json().path("error").asText()).startsWith("The backup did not finish")
                .doesNotContainPattern("\\p{IsHan}");
        List<String> read = new ArrayList<>(List.of(backup.json().path("error").asText(), review.json().path("error").asText()));
        List<String> about = new ArrayList<>();
        for (JsonNode job : admin.get("/api/jobs").json().path("jobs")) {
            if (List.of("backup", "annual-tier-review").contains(job.path("job").asText())) read.add(job.path("last_run").path("error").asText());
            about.add(job.path("description").asText());
        }
        assertThat(read).hasSize(4).doesNotContain("");
        assertThat(about).hasSizeGreaterThan(10).doesNotContain("");
        noEnglish("what each job does (the jobs page)", about);
        noEnglish("a failed job's error (the run-now answer, the jobs page)", read);
    }

    private static long accessRequestApproved(ApiClient desk, ApiClient manager, String archive) throws Exception {
        long id = desk.post("/api/archives/" + archive + "/requests", "{\"kind\": \"access\", \"via\": \"desk\"}").json().path("id").asLong();
        ApiClient.Reply approved = manager.post("/api/subject-requests/" + id + "/approve-export", "{}");
        assertThat(approved.status()).as(approved.text()).isEqualTo(200);
        return id;
    }

    private static String archiveOf(String mobile) throws Exception {
        return (String) dangan.row("select archive_no from customer where mobile = ?", mobile).get("archive_no");
    }
}
