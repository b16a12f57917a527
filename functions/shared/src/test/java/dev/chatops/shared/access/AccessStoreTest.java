package dev.chatops.shared.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(MotoExtension.class)
class AccessStoreTest {
    private static final Instant WHEN = Instant.parse("2026-11-20T09:30:00Z");
    /** Requests reach moto one at a time, as DynamoDB would order them: see SerializedDynamoDb. */
    private final DynamoDbClient dynamo = dev.chatops.testing.SerializedDynamoDb.client();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private AccessStore store;
    /** Each test links in a workspace and an instance of its own: moto keeps its state across a class's tests. */
    private final String team = "T" + java.util.UUID.randomUUID();
    private final String ops = "ops-" + java.util.UUID.randomUUID();

    @BeforeEach
    void setUp(LocalAws aws) {
        store = new AccessStore(dynamo, aws.ref("AccessTable"));
    }

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void a_stored_link_is_found_by_workspace_and_slack_user() {
        store.link(Link.of(team, "U1", ops, 42, "alice", WHEN));

        assertThat(store.findLink(team, "U1")).hasValueSatisfying(link -> {
            assertThat(link.gitlabUsername()).isEqualTo("alice");
            assertThat(link.gitlabUserId()).isEqualTo(42);
            assertThat(link.linkedAt()).isEqualTo(WHEN);
            assertThat(link.accessLevel()).isEmpty();
        });
        assertThat(store.findLink(team + "-other", "U1")).isEmpty();
    }

    @Test
    void a_gitlab_account_cannot_be_linked_to_a_second_slack_user() {
        store.link(Link.of(team, "U1", ops, 42, "alice", WHEN));

        assertThatThrownBy(() -> store.link(Link.of(team, "U2", ops, 42, "alice", WHEN)))
                .isInstanceOf(LinkConflictException.class);
        assertThat(store.findLink(team, "U2")).isEmpty();
    }

    @Test
    void a_slack_user_cannot_hold_two_gitlab_accounts() {
        store.link(Link.of(team, "U1", ops, 42, "alice", WHEN));

        assertThatThrownBy(() -> store.link(Link.of(team, "U1", ops, 43, "mallory", WHEN)))
                .isInstanceOf(LinkConflictException.class);
        assertThat(store.findLink(team, "U1")).hasValueSatisfying(link -> assertThat(link.gitlabUserId()).isEqualTo(42));
    }

    @Test
    void of_two_concurrent_links_of_one_gitlab_account_exactly_one_wins_a_hundred_times() throws Exception {
        for (int r = 0; r < 100; r++) {
            int round = r;
            long gitlabId = 1000 + round;
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Boolean>> attempts = new ArrayList<>();
            for (String user : List.of("UA" + round, "UB" + round)) {
                attempts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                        store.link(Link.of(team, user, ops, gitlabId, "shared" + round, WHEN));
                        return true;
                    } catch (LinkConflictException e) {
                        return false;
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            start.countDown();
            long winners = attempts.stream().map(CompletableFuture::join).filter(Boolean::booleanValue).count();
            long stored = List.of("UA" + round, "UB" + round).stream().filter(u -> store.findLink(team, u).isPresent()).count();

            assertThat(winners).as("round %d", round).isEqualTo(1);
            assertThat(stored).as("round %d", round).isEqualTo(1);
        }
    }
}
