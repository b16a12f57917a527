package dev.chatops.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SerializedDynamoDb;
import dev.chatops.testing.MutableClock;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Wrong link codes are counted per Slack user (workspace and user id), in the requests table: after
 * 5 codes that link nothing within 15 minutes, {@code link} is paused for that person until the 15
 * minutes are over, and says until when; a paused attempt, the right code included, links nothing
 * and spends nothing. The count runs out with its 15 minutes, and is nobody else's.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class LinkGuessesTest {
    private static final String WRONG = ":warning: That code is unknown, used or expired (codes last 10 minutes).";
    private static final String PAUSED = ":no_entry: Linking is paused for you until ";

    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
    private UserFunction function;
    private AccessStore access;
    private AuditLog audit;
    private String team;

    @BeforeEach
    void setUp(LocalAws aws) {
        ops.addAdminToken(MotoExtension.GITLAB_TOKEN);
        ops.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        ops.addProject("ops/chatops");
        Env env = Env.of(aws.functionEnvironment("UserFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops")));
        Services services = new Services(
                env,
                // Requests reach moto one at a time, as DynamoDB orders conditional writes (the guessing race).
                SerializedDynamoDb.client(),
                clock,
                ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls()));
        function = new UserFunction(services);
        access = services.access();
        audit = services.audit();
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void after_five_wrong_codes_even_the_right_one_is_refused_until_the_pause_ends_and_nothing_is_linked_or_spent()
            throws IOException {
        String code = hold("olga");

        for (int i = 1; i <= 4; i++) {
            clock.advance(Duration.ofMinutes(1));
            assertThat(link("UOLGA", "WRNG-000" + i)).as("wrong code %d", i).contains(WRONG).doesNotContain("paused");
        }
        clock.advance(Duration.ofMinutes(1));
        assertThat(link("UOLGA", "WRNG-0005")).as("the fifth wrong code says what comes next")
                .contains(WRONG, "That was 5 wrong codes in 15 minutes: linking is paused for you until 10:16 UTC.");

        String refused = link("UOLGA", code);

        assertThat(refused)
                .contains(
                        PAUSED + "10:16 UTC, after 5 wrong codes in 15 minutes. Nothing was changed.",
                        "When it ends, run `/chatops run whoami` and use its *Connect your GitLab account* button for"
                                + " a fresh code.")
                .doesNotContain("now linked");
        assertThat(access.findLink(team, "UOLGA")).isEmpty();
        assertThat(access.pending(code, clock.instant())).as("a paused attempt does not spend the code").isPresent();
        assertThat(audit.recent(10, "UOLGA", "link")).hasSize(6).allSatisfy(record ->
                assertThat(record.decision() + "/" + record.outcome()).isEqualTo("allowed/refused"));

        clock.advance(Duration.ofMinutes(10).plusSeconds(59));
        String fresh = hold("olga2");
        assertThat(link("UOLGA", fresh)).as("10:15:59").contains(PAUSED + "10:16 UTC");
        clock.advance(Duration.ofSeconds(1));
        assertThat(link("UOLGA", fresh))
                .as("10:16, the pause is over")
                .contains("now linked to the GitLab account `olga2`");
        assertThat(access.findLink(team, "UOLGA")).isPresent();
    }

    @Test
    void a_right_code_after_a_few_wrong_ones_still_links() throws IOException {
        String code = hold("pete");
        for (int i = 1; i <= 4; i++) {
            assertThat(link("UPETE", "WRNG-000" + i)).contains(WRONG);
        }

        assertThat(link("UPETE", code)).contains("now linked to the GitLab account `pete`");
    }

    @Test
    void wrong_codes_older_than_fifteen_minutes_no_longer_count() throws IOException {
        for (int i = 1; i <= 4; i++) {
            assertThat(link("URITA", "WRNG-000" + i)).contains(WRONG);
        }
        clock.advance(Duration.ofMinutes(15));
        for (int i = 1; i <= 4; i++) {
            assertThat(link("URITA", "WRNG-100" + i)).as("a new 15 minutes, wrong code %d", i).contains(WRONG)
                    .doesNotContain("paused");
        }
        String code = hold("rita");

        assertThat(link("URITA", code)).contains("now linked to the GitLab account `rita`");
    }

    @Test
    void one_persons_wrong_codes_pause_nobody_else_in_the_workspace_or_elsewhere() throws IOException {
        for (int i = 1; i <= 5; i++) {
            link("USAM", "WRNG-000" + i);
        }
        assertThat(link("USAM", "WRNG-0006")).contains(PAUSED);
        String tinasCode = hold("tina");
        String samsNamesakesCode = hold("sam");

        assertThat(link("UTINA", tinasCode))
                .as("another person of the workspace")
                .contains("now linked to the GitLab account `tina`");
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(link("USAM", samsNamesakesCode)).as("the same user id in another workspace")
                .contains("now linked to the GitLab account `sam`");
    }

    /**
     * Guesses sent at once are counted before any is checked: however many arrive together, at most
     * five codes are checked and every other attempt is told linking is paused.
     */
    @Test
    void of_twelve_guesses_at_once_at_most_five_are_checked() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<String>> answers = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int i = 0; i < 12; i++) {
                String guess = String.format("WRNG-%04d", i);
                answers.add(pool.submit(() -> {
                    start.await();
                    return link("UGUS", guess);
                }));
            }
            start.countDown();
            int checked = 0;
            int paused = 0;
            for (Future<String> answer : answers) {
                String text = answer.get(60, TimeUnit.SECONDS);
                checked += text.contains(WRONG) ? 1 : 0;
                paused += text.contains(PAUSED) ? 1 : 0;
            }
            assertThat(checked).as("codes checked").isEqualTo(5);
            assertThat(paused).as("attempts told linking is paused").isEqualTo(7);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A code held for a new GitLab account, as the linking page shows it, for 10 minutes from the clock's now. */
    private String hold(String username) {
        long id = ops.addUser(username, true).id();
        String code = access.holdPending(new AccessStore.Pending("ops", id, username, 0, clock.instant()),
                clock.instant().plusSeconds(600));
        SecretsNotLogged.watch(code);
        return code;
    }

    /** Everything Slack shows of the answer to {@code link CODE}: its text and each text of its blocks. */
    private String link(String userId, String code) throws IOException {
        CommandRequest request = new CommandRequest(
                UUID.randomUUID().toString(),
                team,
                "",
                userId,
                "someone",
                "C1",
                "ops",
                "/chatops",
                "link",
                List.of(code),
                Map.of(),
                code,
                slack.url("/r/" + UUID.randomUUID()),
                clock.instant());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("UserFunction", Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.postsTo(URI.create(request.responseUrl()).getPath());
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).json()).containsEntry("response_type", "ephemeral");
        return posts.get(0).json().get("text") + "\n" + CaptureServer.textOf(posts.get(0));
    }
}
