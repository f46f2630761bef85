package dangan.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) driven by Selenium,
 * on a fresh profile, with the waits the console's tests share. Nothing is downloaded: the driver
 * and the browser are the machine's; without them the test fails saying what to install.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String DRIVER = "/usr/bin/chromedriver";
    /**
     * The most a step waits for the page (an upper bound, never a pause: each wait ends as soon as the page is there).
     * 20 s was too little at load 75 on the 2-core machine, where the console's archive page took longer to appear.
     */
    private static final Duration WAIT = Duration.ofSeconds(60);

    final WebDriver driver;
    private final String base;
    private final Path profile;

    Browser(int port) throws IOException {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(DRIVER))) {
            throw new IllegalStateException("The console's browser tests need Debian's chromium and chromium-driver: "
                    + "apt-get install -y chromium chromium-driver (the README's test command does it when it may)");
        }
        profile = Files.createTempDirectory("dangan-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1366,768", "--lang=zh-CN");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1366, 768));
        base = "http://localhost:" + port;
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebElement await(By by) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void awaitText(By by, String text) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    void awaitGone(By by) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.invisibilityOfElementLocated(by));
    }

    String text(By by) {
        return await(by).getText();
    }

    void type(By by, String text) {
        WebElement element = await(by);
        element.clear();
        element.sendKeys(text);
    }

    void click(By by) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    /** Signs in through the page's form and waits for the page of the role. */
    void signIn(String name, String password) {
        open("/");
        type(By.id("sign-in-name"), name);
        type(By.id("sign-in-password"), password);
        click(By.cssSelector("#sign-in button[type=submit]"));
        awaitText(By.id("who"), name);
    }

    void signOut() {
        click(By.id("sign-out"));
        await(By.id("sign-in-name"));
    }

    /** Runs a fetch in the page (with its session cookie) and answers "status body". */
    String fetch(String method, String path, boolean withCsrf) {
        Object result = ((org.openqa.selenium.JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/console/core.js').then(core => {
                  const headers = {'Content-Type': 'application/json'};
                  if (arguments[2]) headers['X-CSRF-Token'] = core.session.csrf;
                  return fetch(arguments[1], {method: arguments[0], headers, credentials: 'same-origin',
                                              body: arguments[0] === 'GET' ? undefined : '{}'});
                }).then(r => r.text().then(t => done(r.status + ' ' + t))).catch(e => done('error ' + e));""",
                method, path, withCsrf);
        return String.valueOf(result);
    }

    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path target = SCREENSHOTS.resolve(name + ".png");
        Files.write(target, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return target;
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
