package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MutableClock;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SerializedDynamoDb;
import dev.chatops.testing.Soak;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 1,000 trials of a command that changes something, each delivered two or three times, as Lambda's
 * asynchronous invocation may: at once (concurrently), one after another, or after a delivery
 * whose reply Slack refused. Every trial acts exactly once, answers exactly once, and never posts
 * more than five times to its response_url. A quarter as many trials of a change whose first
 * delivery is cut short after acting (Lambda's timeout, a crash): the deliveries that follow never
 * act again and answer once. ({@code -P soak} runs 10,000; {@code -Dchatops.trials=N} any number.)
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class DuplicateDeliveriesTest {
    private static final int TRIALS = Soak.count("chatops.trials", 1000, 10_000);
    private static final CommandSpec CHANGE = CommandSpec.of("change", "Changes something once.", Target.USER,
            Form.of(Role.ANYONE, "Counts its effect per request.").changing());

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(16);
    private CommandRuntime runtime;
    private LocalAws aws;

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        // Conditional writes reach moto one at a time, as DynamoDB makes them atomic: see SerializedDynamoDb.
        RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC(), "http://127.0.0.1:9",
                SerializedDynamoDb.client());
        Command change = RuntimeFixture.command(CHANGE, call -> {
            effects.computeIfAbsent(call.request().requestId(), id -> new AtomicInteger()).incrementAndGet();
            return Reply.inChannel("changed").text("changed " + call.request().requestId()).build();
        });
        runtime = new CommandRuntime(List.of(change), fixture.services);
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void every_trial_acts_once_and_answers_once_whatever_lambda_delivers() throws Exception {
        List<Future<?>> trials = new ArrayList<>();
        for (int trial = 0; trial < TRIALS; trial++) {
            int mode = trial % 3;
            int deliveries = 2 + trial % 2;
            String path = "/dup/" + trial;
            trials.add(pool.submit(() -> {
                CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url(path));
                switch (mode) {
                    case 0 -> concurrently(request, deliveries);
                    case 1 -> oneAfterAnother(request, deliveries);
                    default -> afterARefusedReply(request, path, deliveries);
                }
                return null;
            }));
        }
        for (Future<?> trial : trials) {
            trial.get();
        }

        assertThat(effects).hasSize(TRIALS);
        assertThat(effects.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        for (int trial = 0; trial < TRIALS; trial++) {
            List<CaptureServer.Post> posts = slack.postsTo("/dup/" + trial);
            assertThat(posts.size()).as("posts to trial %d", trial).isLessThanOrEqualTo(5);
            long answers = trial % 3 == 2 ? posts.size() - 4 : posts.size();
            assertThat(answers).as("answers to trial %d", trial).isEqualTo(1);
        }
    }

    @Test
    void a_change_cut_short_after_acting_is_never_made_again_and_is_answered_once() throws Exception {
        CommandSpec alter = CommandSpec.of("alter", "Changes something, and says so.", Target.USER,
                Form.of(Role.ANYONE, "Counts its effect per request.").changing());
        MutableClock clock = MutableClock.now();
        RuntimeFixture fixture = new RuntimeFixture(aws, clock, "http://127.0.0.1:9", SerializedDynamoDb.client());
        CommandRuntime crashing = new CommandRuntime(List.of(RuntimeFixture.command(alter, call -> {
            effects.computeIfAbsent(call.request().requestId(), id -> new AtomicInteger()).incrementAndGet();
            throw new RuntimeFixture.CutShort();
        })), fixture.services);
        int trials = Math.max(1, TRIALS / 4);
        for (int trial = 0; trial < trials; trial++) {
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/cut/" + trial));
            try {
                crashing.handle(request, Duration.ofSeconds(30));
                throw new AssertionError("the first delivery was meant to be cut short");
            } catch (RuntimeFixture.CutShort expected) {
                // Lambda gives up on the invocation and retries the event later.
            }
            clock.advance(Duration.ofSeconds(31));
            List<Future<?>> deliveries = new ArrayList<>();
            for (int i = 0; i < 1 + trial % 2; i++) {
                deliveries.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 50; attempt++) {
                        try {
                            crashing.handle(request, Duration.ofSeconds(30));
                            return null;
                        } catch (RequestInProgressException busy) {
                            Thread.sleep(20);
                        }
                    }
                    throw new AssertionError("request " + request.requestId() + " never settled");
                }));
            }
            for (Future<?> delivery : deliveries) {
                delivery.get();
            }
        }

        assertThat(effects).hasSize(trials);
        assertThat(effects.values()).allSatisfy(count -> assertThat(count).hasValue(1));
        for (int trial = 0; trial < trials; trial++) {
            assertThat(slack.postsTo("/cut/" + trial))
                    .as("answers to trial %d", trial)
                    .singleElement()
                    .satisfies(post ->
                            assertThat(CaptureServer.textOf(post)).contains("may or may not have taken effect"));
        }
    }

    /** Deliveries at the same moment; those that find it busy come back, as Lambda's retry would. */
    private void concurrently(CommandRequest request, int deliveries) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < deliveries; i++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                    deliverUntilSettled(request);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads.add(thread);
            thread.start();
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void oneAfterAnother(CommandRequest request, int deliveries) {
        for (int i = 0; i < deliveries; i++) {
            deliverUntilSettled(request);
        }
    }

    /** Slack refuses the first delivery's reply four times; the later deliveries post the stored reply. */
    private void afterARefusedReply(CommandRequest request, String path, int deliveries) {
        slack.answerNextOn(path, CaptureServer.Answer.status(500), CaptureServer.Answer.status(500),
                CaptureServer.Answer.status(500), CaptureServer.Answer.status(500));
        try {
            runtime.handle(request, Duration.ofSeconds(30));
        } catch (ReplyException expected) {
            // Lambda would retry the event
        }
        for (int i = 1; i < deliveries; i++) {
            deliverUntilSettled(request);
        }
    }

    private void deliverUntilSettled(CommandRequest request) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                runtime.handle(request, Duration.ofSeconds(30));
                return;
            } catch (RequestInProgressException | ReplyException busy) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new AssertionError("request " + request.requestId() + " never settled");
    }
}
