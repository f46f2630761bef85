package dangan.i18n;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No message a person reads is built outside the bundles. Two kinds of rule:
 * <ul>
 * <li>over the whole main tree ({@link #EVERYWHERE}): the places where a literal reaches a person — an API
 * answer, a refusal of the rules, a value that cannot be read, a line a command prints — take a message key,
 * except in the files of {@link #NOT_YET_MOVED}, each with why; an entry that no longer matches fails too,
 * so the list only shrinks;</li>
 * <li>in code already moved ({@link #MOVED}), narrower patterns of its own (reject reasons, feed lines).</li>
 * </ul>
 * Log-only texts, SQL and message keys are not user-facing and match none of the patterns.
 */
@Tag("fast")
class UserFacingStringsTest {

    private static final Path MAIN = Path.of("src/main/java");

    /** Where a literal would reach a person, anywhere in the main tree. */
    private static final Map<String, Pattern> EVERYWHERE = Map.ofEntries(
            Map.entry("an API answer written as a literal, or passing on an exception's English (e.getMessage()):"
                    + " ApiProblem.localized(status, key, …), or a RuleException that the API layer answers",
            Pattern.compile("ApiProblem\\.(badRequest|unauthorized|forbidden|notFound|conflict)\\(|new ApiProblem\\(\\d+, \"")),
            Map.entry("a field of a JSON answer people read (message, error, reason, note, hint) in English words",
            Pattern.compile("\\.put\\(\"(message|error|reason|note|hint)\", \"[^\"]*[A-Za-z]{2,} [a-z]{2,}")),
            Map.entry("a refusal of the rules written as a literal: RuleException.invalid/notFound/conflict/notPermitted(key, …)",
            Pattern.compile("new RuleException\\.(Invalid|NotFound|Conflict|NotPermitted)\\(\"")),
            Map.entry("a value that cannot be read, as a literal: InvalidValueException.of(key, …)",
            Pattern.compile("new InvalidValueException\\(\"")),
            Map.entry("a whole file refused with a literal reason (it goes into .error.txt and the ledger)",
            Pattern.compile("new (FileRejectedException|UnreadableFileException|SurveyFormatException)\\(\"")),
            Map.entry("a line a command prints, in English words: messages.text(key, …)",
            Pattern.compile("println\\(\"[^\"]*[a-z]{3,} [a-z]{2,}")),
            Map.entry("a table a command prints with words in its format (headings such as NAME): TextTable.of(messages, keys …)",
            Pattern.compile("printf\\(\"[^\"]*[A-Za-z]{3,}")));

    /**
     * Files still building such texts, and why. Issue 12 moves them; each entry goes when its file is done.
     * Every file is moved now: the list is empty, and a file that builds such texts again fails the test.
     */
    private static final Map<String, String> NOT_YET_MOVED = new TreeMap<>();

    /** Narrower rules for code already moved, and the files they hold for. */
    private static final Map<Pattern, List<String>> MOVED = Map.of(
            // reject reasons and warnings of input lines: no English words in a string literal
            Pattern.compile("\"[^\"]*[a-z]{3,} [a-z]{2,} [^\"]*\""),
            List.of("src/main/java/dangan/intake/RowNormaliser.java", "src/main/java/dangan/reminders/VisitIntake.java"),
            // the reminder jobs' log lines, feeds and digest mails
            Pattern.compile("String\\.format\\(\"%s %s: |\\.append\\(\" new reminder|\"Dangan \" \\+ job"),
            List.of("src/main/java/dangan/reminders/ReminderJobs.java", "src/main/java/dangan/reminders/FeedWriter.java"),
            // the reject report's headings and outcome words, the per-file summary, the .error.txt frame
            Pattern.compile("\"rejected\" : \"warning\"|\\.rejects\\.csv\", List\\.of\\(|\" lines — new |\"File: \"|\"What to do: "),
            List.of("src/main/java/dangan/intake/RejectReport.java", "src/main/java/dangan/intake/IngestRun.java",
                    "src/main/java/dangan/intake/FileCheck.java", "src/main/java/dangan/intake/SpreadsheetIntake.java"),
            // the KPI CSV and the notification mails
            Pattern.compile("setHeader\\(\"month\"|\"\\[Dangan\\] \"|\"Dangan notification: "),
            List.of("src/main/java/dangan/supervision/KpiReport.java", "src/main/java/dangan/notify/NotificationRelay.java"),
            // the jobs' summaries, logged and returned as the job's answer: built from the bundles (area log), not formatted in English
            Pattern.compile("String\\.format\\(\"[^\"]*[A-Za-z]{3,}[^\"]* [a-z]{2,}|review as of \""),
            List.of("src/main/java/dangan/backup/Backups.java", "src/main/java/dangan/backup/Restore.java", "src/main/java/dangan/tiers/AnnualTierReview.java",
                    "src/main/java/dangan/retention/RetentionReview.java", "src/main/java/dangan/notify/NotificationRelay.java"));

    /** Every Java source of the service. */
    private static List<Path> mainJavaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void noMessageAPersonReadsIsBuiltOutsideTheBundles() throws IOException {
        List<String> found = new ArrayList<>();
        TreeSet<String> stillMatching = new TreeSet<>();
        for (Path file : mainJavaFiles()) {
            String relative = MAIN.relativize(file).toString().replace('\\', '/');
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (comment(lines.get(i))) continue;
                for (Map.Entry<String, Pattern> rule : EVERYWHERE.entrySet()) {
                    if (!rule.getValue().matcher(lines.get(i)).find()) continue;
                    if (NOT_YET_MOVED.containsKey(relative)) stillMatching.add(relative);
                    else found.add(file + ":" + (i + 1) + ": " + rule.getKey() + ": " + lines.get(i).strip());
                }
            }
        }
        assertThat(found).as("messages built outside the bundles").isEmpty();
        assertThat(NOT_YET_MOVED.keySet()).as("files moved to the bundles since: take them off NOT_YET_MOVED")
                .containsExactlyElementsOf(stillMatching);
    }

    @Test
    void theMovedCodeKeepsItsOwnRules() throws IOException {
        List<String> found = new ArrayList<>();
        for (Map.Entry<Pattern, List<String>> rule : MOVED.entrySet()) {
            for (String place : rule.getValue()) {
                Path file = Path.of(place);
                assertThat(file).as("checked place").exists();
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    if (!comment(lines.get(i)) && rule.getKey().matcher(lines.get(i)).find()) {
                        found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found).as("messages built outside the bundles").isEmpty();
    }

    /** SQL that writes a text people read into the archive's records. */
    private static final String STORING_SQL = "insert into (change_log|destruction_record|destruction_proposal|subject_request)\\b"
            + "|update (subject_request|destruction_proposal_line|tier_proposal_line|job_run|notification_delivery) ";

    /**
     * Where an audit entry, a change-register reason or source, or another text stored for people (bundle area
     * {@code records}: a request's outcome, a destruction record, a proposal line's note, a job's error) is written: each
     * call's arguments, each SQL statement, are checked whole.
     */
    private static final Pattern AUDIT_OR_CHANGE = Pattern.compile(
            "new AuditEntry\\(|AuditEntry\\.system\\(|Exposure\\.command\\(|ChangeLog\\.Change\\.of\\(|\\)\\.from\\("
            + "|SubjectRequests\\.close\\(|ProposalStore\\.(closeRequests|decide|record|insertProposal)\\(|new JobRuns\\.Run\\("
            + "|" + STORING_SQL);
    /** A string literal, one after the other. */
    private static final Pattern LITERAL = Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"");
    /** English words ({@code held change accepted}); a command line ({@code "dangan review list"}) is a name, not words. */
    private static final Pattern ENGLISH_LITERAL = Pattern.compile("^\"(?!dangan ).*[a-z]{3,} [a-z]{2,}");
    /** An SQL literal, one after the other ({@code 'accepted on review: '}, {@code 'it''s'}). */
    private static final Pattern SQL_LITERAL = Pattern.compile("'(?:[^'\\n]|'')*'");
    /** English words inside a literal. */
    private static final Pattern ENGLISH_WORDS = Pattern.compile("[a-z]{3,} [a-z]{2,}");

    /**
     * No audit entry's detail nor change-register reason is written as English words (issue 12): the detail is a
     * {@link Localized} of the bundles (area {@code audit}), said in the configured language when written, and a reason
     * comes from the bundles too. The whole call is read, over its lines; an SQL statement that inserts into
     * {@code change_log} has no English literal either.
     */
    @Test
    void auditEntriesAndChangeReasonsAreNotWrittenInEnglishWords() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : mainJavaFiles()) {
            String text = Files.readString(file);
            var call = AUDIT_OR_CHANGE.matcher(text);
            while (call.find()) {
                boolean sql = call.group().startsWith("insert") || call.group().startsWith("update");
                String arguments = sql ? text.substring(call.start(), statementEnd(text, call.end())) : arguments(text, call.end());
                int line = (int) text.substring(0, call.start()).lines().count();
                var literal = (sql ? SQL_LITERAL : LITERAL).matcher(arguments);
                while (literal.find()) {
                    if ((sql ? ENGLISH_WORDS : ENGLISH_LITERAL).matcher(literal.group()).find()) {
                        found.add(file + ":" + line + ": " + literal.group());
                    }
                }
            }
        }
        assertThat(found).as("audit details or change reasons in English words, not from the bundles").isEmpty();
    }

    /** A log call at info, warning or error: the service's own logger, or one named after a route. */
    private static final Pattern LOG_CALL = Pattern.compile("(\\bLOG|LoggerFactory\\.getLogger\\([^;]*?\\)\\)?)\\.(info|warn|error)\\(");
    /** An exception a refused start or command shows a person: its one line is what the operator reads. */
    private static final Pattern START_ERROR = Pattern.compile("new Illegal(State|Argument)Exception\\(");
    /**
     * A literal that says nothing in words: a message key ({@code log.mail.moves}), an argument's name, a pattern of placeholders,
     * a name ({@code INBOX}, {@code /api/surveys}, {@code --config}); two words in a row or a capitalised word are words.
     */
    private static final Pattern NO_WORDS = Pattern.compile("^\"(?!.*([A-Za-z]{2,}[ ,:;'()]+[A-Za-z]{2,}|\\b[A-Z][a-z]{2,}\\b)).*\"$");
    /** What names a setting: a key, an environment variable, the configuration, a route file. */
    private static final Pattern NAMES_A_SETTING = Pattern.compile(
            "\"[^\"]*(dangan\\.[a-z]|DANGAN_[A-Z]|[Cc]onfiguration|application\\.properties)|\\b(key|KEY|setting|route) \\+|environmentName\\(");
    /**
     * Files that read the configuration (a method takes {@code Settings}): every exception text in them reaches a person when
     * the start is refused, except these few, each with why.
     */
    private static final Pattern READS_SETTINGS = Pattern.compile("\\(\\s*(final )?(dangan\\.config\\.)?Settings [a-z]\\w*");
    private static final Map<Pattern, String> PROGRAMMING_ERRORS = Map.of( // pattern → why it may stay English
            Pattern.compile("\"(SHA-256|HMAC-SHA-256|HKDF-SHA-256|AES-GCM) unavailable\""),
            "a Java 17 runtime always has these algorithms: no person running Dangan meets it",
            Pattern.compile("\"Cannot write the audit log: \""),
            "a database failure while an entry is written, wrapped for the caller: the API answers 503 from the bundles, a job's"
                    + " failure is logged from the bundles (jobs.failed)",
            Pattern.compile("\"cannot open a value sealed with customer key \""),
            "sealed data that no longer opens, met inside a request or a job (its answer and log line come from the bundles)",
            Pattern.compile("\"(message |no message |message key ')"),
            "code that uses the bundles wrongly (a key without its area, arguments not in pairs): the bundle test finds it first",
            Pattern.compile("\"audit_head has no row: "),
            "the row is written by migration V13 and the table refuses its deletion: only a database altered by hand lacks it",
            Pattern.compile("\"No audit trail to record: "),
            "a route without the audit trail bean: only a bare Camel context of a test, which has no configuration nor language");

    /**
     * Every info, warning and error line of the service log, and the text of every exception that refuses a start or a command
     * over a setting, comes from the bundles (areas {@code log} and {@code config}), in {@code dangan.locale}'s language
     * (issue 12): no literal in words inside such a call, and every message key written there exists in both languages.
     * Debug lines may stay English; the few programming errors that stay are listed with why.
     */
    @Test
    void logLinesAndConfigurationErrorsComeFromTheBundles() throws IOException {
        List<String> found = new ArrayList<>();
        TreeSet<String> allowedSeen = new TreeSet<>();
        for (Path file : mainJavaFiles()) {
            String text = Files.readString(file);
            boolean readsSettings = READS_SETTINGS.matcher(text).find();
            for (Pattern kind : List.of(LOG_CALL, START_ERROR)) {
                var call = kind.matcher(text);
                while (call.find()) {
                    String arguments = arguments(text, call.end());
                    if (commentedOut(text, call.start())) continue;
                    boolean exception = kind == START_ERROR;
                    if (exception && !readsSettings && !NAMES_A_SETTING.matcher(arguments).find()) continue;
                    var allowed = PROGRAMMING_ERRORS.keySet().stream().filter(p -> p.matcher(arguments).find()).findFirst();
                    if (allowed.isPresent()) {
                        allowedSeen.add(allowed.get().pattern());
                        continue;
                    }
                    int line = (int) text.substring(0, call.start()).lines().count();
                    var literal = LITERAL.matcher(arguments);
                    while (literal.find()) {
                        String l = literal.group();
                        if (!NO_WORDS.matcher(l).matches()) {
                            found.add(file + ":" + line + ": " + (exception ? "exception text " : "log line ") + l);
                        } else if (l.length() > 2 && l.contains(".") && BUNDLE_AREAS.contains(l.substring(1, l.indexOf('.')))) {
                            String key = l.substring(1, l.length() - 1);
                            if (!Messages.of(Language.ZH).has(key) || !Messages.of(Language.EN).has(key)) {
                                found.add(file + ":" + line + ": no message " + key + " in both languages");
                            }
                        }
                    }
                }
            }
        }
        assertThat(found).as("log lines and configuration errors written in English words, not from the bundles").isEmpty();
        assertThat(allowedSeen).as("allowed programming errors that are gone: take them off PROGRAMMING_ERRORS")
                .containsExactlyInAnyOrderElementsOf(PROGRAMMING_ERRORS.keySet().stream().map(Pattern::pattern).toList());
    }

    /** The areas of the bundles, read from the file names ({@code log_zh.properties} → {@code log}). */
    private static final java.util.Set<String> BUNDLE_AREAS = bundleAreas();

    private static java.util.Set<String> bundleAreas() {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/i18n"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith("_zh.properties"))
                    .map(n -> n.substring(0, n.length() - "_zh.properties".length())).collect(java.util.stream.Collectors.toSet());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether the position is on a line comment or inside a Javadoc/block comment line. */
    private static boolean commentedOut(String text, int at) {
        int lineStart = text.lastIndexOf('\n', at) + 1;
        return comment(text.substring(lineStart, at)) || text.substring(lineStart, at).contains("//");
    }

    /** The text of a call's arguments, from just after its opening parenthesis to the one that closes it. */
    private static String arguments(String text, int from) {
        int depth = 1;
        boolean quoted = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\') i++;
                else if (c == '"') quoted = false;
            } else if (c == '"') quoted = true;
            else if (c == '(') depth++;
            else if (c == ')' && --depth == 0) return text.substring(from, i);
        }
        return text.substring(from);
    }

    /** Where an SQL statement that began before {@code from} ends: its text block, or the first bind of its string. */
    private static int statementEnd(String text, int from) {
        int end = text.length();
        for (String after : List.of("\"\"\"", ".bind", ".execute")) {
            int at = text.indexOf(after, from);
            if (at >= 0) end = Math.min(end, at);
        }
        return end;
    }

    /** The SQL files (src/main/resources/sql) write no English words into the records people read either. */
    @Test
    void theSqlFilesStoreNoEnglishForPeople() throws IOException {
        List<String> found = new ArrayList<>();
        Pattern storing = Pattern.compile(STORING_SQL);
        try (Stream<Path> files = Files.walk(Path.of("src/main/resources/sql"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql")).toList()) {
                String text = Files.readString(file).replaceAll("--[^\\n]*", "");
                var statement = storing.matcher(text);
                while (statement.find()) {
                    int end = text.indexOf(';', statement.end());
                    var literal = SQL_LITERAL.matcher(text.substring(statement.start(), end < 0 ? text.length() : end));
                    while (literal.find()) {
                        if (ENGLISH_WORDS.matcher(literal.group()).find()) found.add(file + ": " + literal.group());
                    }
                }
            }
        }
        assertThat(found).as("SQL that stores English words for people").isEmpty();
    }

    /** A route's 403 text ({@code refusal} of the api-call template) is a message key in both languages, never a text. */
    @Test
    void theRoutesRefuseWithMessageKeys() throws IOException {
        Pattern refusal = Pattern.compile("name: refusal, value: \"([^\"]*)\"");
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                var m = refusal.matcher(Files.readString(file));
                while (m.find()) keys.add(m.group(1));
            }
        }
        assertThat(keys).isNotEmpty().allSatisfy(key -> {
            assertThat(Messages.of(Language.ZH).has(key)).as("%s in api_zh", key).isTrue();
            assertThat(Messages.of(Language.EN).has(key)).as("%s in api_en", key).isTrue();
        });
    }

    private static boolean comment(String line) {
        String s = line.strip();
        return s.startsWith("//") || s.startsWith("*") || s.startsWith("/*");
    }
}
