package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * "The bot guides you through allowing your user to execute commands", in a real browser (Debian's
 * headless Chromium) against the local stack: a refused command's button → the stand-in GitLab's
 * sign-in and authorise page → the callback page → the link stored → Slack told.
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
// Reported as skipped, test by test, where Chromium is missing; CI must run it, so there it runs and fails.
@org.junit.jupiter.api.condition.EnabledIf(
        value = "runsHere",
        disabledReason =
                "Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
class LinkInBrowserTest {
    private static final String SECRET = "browser-test-secret";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static LocalStack stack;
    private static WebDriver browser;

    /** Whether Chromium and its driver are installed. */
    static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** Where this test runs: wherever the browser is, and always in CI. */
    static boolean runsHere() {
        return browserInstalled() || "true".equals(System.getenv("CI"));
    }

    @BeforeAll
    static void start(@TempDir Path profile) {
        if (!browserInstalled()) {
            throw new AssertionError(
                    "chromium and chromium-driver are not installed, and CI must run this test (.ci/run installs"
                            + " them)");
        }
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void a_refused_command_leads_through_gitlab_sign_in_to_a_stored_link_and_a_slack_message() throws Exception {
        String button = buttonFor("U0BROWSER", "/browser/refused");

        assertThat(signInAs(button, "bob")).isEqualTo("One step left: confirm in Slack");
        String message = browser.findElement(By.id("message")).getText();
        assertThat(message).contains("bob");
        assertThat(link("U0BROWSER")).as("nobody is linked until the code is typed in Slack").isEmpty();
        Matcher code = Pattern.compile("/chatops run link ([A-Z0-9]{4}-[A-Z0-9]{4})").matcher(message);
        assertThat(code.find()).isTrue();

        String confirmed = slash("run link " + code.group(1), "U0BROWSER", "/browser/confirm");
        assertThat(confirmed).contains(":white_check_mark:", "bob");
        assertThat(link("U0BROWSER")).hasValueSatisfying(link -> assertThat(link.gitlabUsername()).isEqualTo("bob"));

        String callback = browser.getCurrentUrl();
        browser.get(callback);
        assertThat(browser.findElement(By.id("message")).getText()).contains("already used");
    }

    @Test
    void an_account_without_two_factor_sees_what_is_missing_and_is_not_linked() throws Exception {
        String button = buttonFor("U0NO2FA", "/browser/no2fa");

        assertThat(signInAs(button, "carol")).isEqualTo("Two-factor authentication needed");
        assertThat(link("U0NO2FA")).isEmpty();
    }

    /**
     * Follows a Connect button to the GitLab stand-in's sign-in page, signs in as {@code username},
     * authorises ChatOps, and returns the heading of the page the callback shows.
     */
    private static String signInAs(String button, String username) throws InterruptedException {
        browser.get(button);
        assertThat(browser.getTitle()).contains("Sign in to the GitLab stand-in");
        browser.findElement(By.cssSelector("select[name=username] option[value=" + username + "]")).click();
        browser.findElement(By.id("authorize")).click();
        return headingOf("/link/callback");
    }

    /** The page's heading once the browser has arrived at a URL containing {@code path}. */
    private static String headingOf(String path) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            try {
                if (browser.getCurrentUrl().contains(path)) {
                    return browser.findElement(By.tagName("h1")).getText();
                }
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                // the page is still being replaced
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the browser never reached " + path + "; it is at " + browser.getCurrentUrl());
    }

    @Test
    void a_button_forwarded_to_someone_else_links_nobody_unless_the_code_is_typed_by_its_slack_user() throws Exception {
        String mallorysButton = buttonFor("U0MALLORY", "/browser/mallory");

        assertThat(signInAs(mallorysButton, "dave")).isEqualTo("One step left: confirm in Slack");

        assertThat(link("U0MALLORY")).isEmpty();
        assertThat(slash("run link ABCD-EFGH", "U0MALLORY", "/browser/guess")).contains("unknown, used or expired");
        assertThat(link("U0MALLORY")).isEmpty();
    }

    /** Sends a slash command as {@code userId}; returns the text of its first reply. */
    private static String slash(String text, String userId, String replyPath) throws Exception {
        send(text, userId, replyPath);
        return CaptureServer.textOf(slack.awaitPosts(replyPath, 1, Duration.ofSeconds(30)).get(0));
    }

    private static void send(String text, String userId, String replyPath) throws Exception {
        Map<String, String> form = SlackRequests.slashCommand(text, userId, slack.url(replyPath));
        form.put("team_id", LocalStack.LOCAL_TEAM);
        byte[] body = SlackRequests.formBody(form);
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> ack = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("X-Slack-Request-Timestamp", Long.toString(now))
                                .header("X-Slack-Signature", SlackRequests.sign(SECRET, now, body))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ack.statusCode()).isEqualTo(200);
    }

    /** Sends a command that needs a role from an unlinked Slack user; returns the "Connect" button's URL. */
    private static String buttonFor(String userId, String replyPath) throws Exception {
        send("run member list ops/chatops --ops", userId, replyPath);
        CaptureServer.Post refusal = slack.awaitPosts(replyPath, 1, Duration.ofSeconds(30)).get(0);
        Matcher url = Pattern.compile("\"url\":\"([^\"]+)\"")
                .matcher(refusal.body().replace("\\u003d", "=").replace("\\u0026", "&"));
        assertThat(url.find()).as("a Connect button in " + refusal.body()).isTrue();
        assertThat(url.group(1)).startsWith(stack.url("/link/start?state="));
        return url.group(1);
    }

    private static Optional<Link> link(String userId) {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            return new AccessStore(dynamo, stack.aws().ref("AccessTable")).findLink(LocalStack.LOCAL_TEAM, userId);
        }
    }
}
