package dev.chatops.shared.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.runtime.StoreException;
import dev.chatops.testing.DynamoDbProxy;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.SerializedDynamoDb;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

@ExtendWith(MotoExtension.class)
class AccessStoreTest {
    private static final Instant WHEN = Instant.parse("2026-11-20T09:30:00Z");
    /** Requests reach moto one at a time, as DynamoDB would order them: see SerializedDynamoDb. */
    private final DynamoDbClient dynamo = SerializedDynamoDb.client();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private AccessStore store;
    private String table;
    /** Each test links in a workspace and an instance of its own: moto keeps its state across a class's tests. */
    private final String team = "T" + UUID.randomUUID();
    private final String ops = "ops-" + UUID.randomUUID();

    @BeforeEach
    void setUp(LocalAws aws) {
        table = aws.ref("AccessTable");
        store = new AccessStore(dynamo, table);
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
        assertThat(store.findLink(team, "U1"))
                .hasValueSatisfying(link -> assertThat(link.gitlabUserId()).isEqualTo(42));
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
            long stored = List.of("UA" + round, "UB" + round).stream()
                    .filter(u -> store.findLink(team, u).isPresent())
                    .count();

            assertThat(winners).as("round %d", round).isEqualTo(1);
            assertThat(stored).as("round %d", round).isEqualTo(1);
        }
    }

    @Test
    void a_snapshot_is_kept_on_the_link_it_was_read_for_never_on_a_link_made_since() {
        Link first = Link.of(team, "U1", ops, 42, "alice", WHEN);
        store.link(first);
        store.saveSnapshot(first, 30, true, WHEN.plusSeconds(1));
        assertThat(store.findLink(team, "U1").orElseThrow().accessLevel()).contains(30);

        store.unlink(team, "U1");
        store.link(Link.of(team, "U1", ops, 43, "mallory", WHEN.plusSeconds(5)));
        store.saveSnapshot(first, 50, true, WHEN.plusSeconds(6));

        assertThat(store.findLink(team, "U1").orElseThrow().accessLevel())
                .as("alice's role is not mallory's")
                .isEmpty();
    }

    @Test
    void an_item_holding_a_snapshot_alone_is_no_link() {
        // What an update of the cached level alone, with no link there, would leave.
        dynamo.updateItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("slack#" + team + "#U9")))
                .updateExpression("SET accessLevel = :l, twoFactor = :t, checkedAt = :c")
                .expressionAttributeValues(Map.of(
                        ":l",
                        AttributeValue.fromN("50"),
                        ":t",
                        AttributeValue.fromBool(true),
                        ":c",
                        AttributeValue.fromS(Instant.now().toString()))));

        assertThat(store.findLink(team, "U9")).isEmpty();
    }

    @Test
    void confirm_links_the_slack_user_to_the_account_held_under_the_code_and_spends_the_code() {
        String code = store.holdPending(
                new AccessStore.Pending(ops, 42, "alice", 30, WHEN),
                Instant.now().plusSeconds(600));

        assertThat(store.confirm(code.toLowerCase().replace("-", " "), team, "U1", Instant.now()))
                .isEqualTo(new AccessStore.Confirmation.Linked(new AccessStore.Pending(ops, 42, "alice", 30, WHEN)));

        assertThat(store.findLink(team, "U1")).hasValueSatisfying(link -> {
            assertThat(link.gitlabUserId()).isEqualTo(42);
            // The held code's role and 2FA come from the linking page, which may not vouch for them: none is kept.
            assertThat(link.accessLevel()).isEmpty();
            assertThat(link.twoFactor()).isEmpty();
            assertThat(link.checkedAt()).isEmpty();
        });
        assertThat(store.slackUserOf(ops, 42))
                .hasValueSatisfying(slack -> assertThat(slack).containsExactly(team, "U1"));
        assertThat(store.pending(code, Instant.now())).isEmpty();
        assertThat(store.confirm(code, team, "U2", Instant.now()))
                .isInstanceOf(AccessStore.Confirmation.CodeUnusable.class);
    }

    @Test
    void an_unknown_malformed_or_expired_code_is_unusable_and_links_nobody() {
        String expired = store.holdPending(
                new AccessStore.Pending(ops, 42, "alice", 30, WHEN),
                Instant.now().minusSeconds(1));

        for (String code : List.of(expired, "ZZZZ-ZZZZ", "not a code", "")) {
            assertThat(store.confirm(code, team, "U1", Instant.now()))
                    .as(code)
                    .isInstanceOf(AccessStore.Confirmation.CodeUnusable.class);
        }
        assertThat(store.findLink(team, "U1")).isEmpty();
        assertThat(store.slackUserOf(ops, 42)).isEmpty();
    }

    @Test
    void a_code_whose_account_is_linked_to_someone_else_is_refused_and_stays_usable_until_that_link_is_gone() {
        store.link(Link.of(team, "U1", ops, 42, "alice", WHEN));
        String code = store.holdPending(
                new AccessStore.Pending(ops, 42, "alice", 30, WHEN),
                Instant.now().plusSeconds(600));

        assertThat(store.confirm(code, team, "U2", Instant.now()))
                .isInstanceOf(AccessStore.Confirmation.AccountTaken.class);
        assertThat(store.findLink(team, "U2")).isEmpty();
        assertThat(store.pending(code, Instant.now())).as("the code is not spent").isPresent();

        store.unlink(team, "U1");
        assertThat(store.confirm(code, team, "U2", Instant.now())).isInstanceOf(AccessStore.Confirmation.Linked.class);
        assertThat(store.slackUserOf(ops, 42))
                .hasValueSatisfying(slack -> assertThat(slack).containsExactly(team, "U2"));
    }

    @Test
    void a_slack_user_linked_already_is_told_to_whom_and_the_code_stays_usable() {
        store.link(Link.of(team, "U1", ops, 7, "bob", WHEN));
        String code = store.holdPending(
                new AccessStore.Pending(ops, 42, "alice", 30, WHEN),
                Instant.now().plusSeconds(600));

        assertThat(store.confirm(code, team, "U1", Instant.now()))
                .isEqualTo(new AccessStore.Confirmation.SlackUserLinked("bob"));

        assertThat(store.findLink(team, "U1")).hasValueSatisfying(link -> assertThat(link.gitlabUserId()).isEqualTo(7));
        assertThat(store.slackUserOf(ops, 42)).isEmpty();
        assertThat(store.pending(code, Instant.now())).isPresent();
    }

    @Test
    void a_store_that_refuses_the_transaction_changes_nothing_and_the_code_stays_usable(MotoServer moto) {
        String code = store.holdPending(
                new AccessStore.Pending(ops, 42, "alice", 30, WHEN),
                Instant.now().plusSeconds(600));
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            AccessStore denied = new AccessStore(DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.endpoint())).build(), table);
            proxy.denyNext("TransactWriteItems", "dynamodb:PutItem", 1);

            assertThatThrownBy(() -> denied.confirm(code, team, "U1", Instant.now()))
                    .isInstanceOf(StoreException.class)
                    .hasRootCauseInstanceOf(DynamoDbException.class)
                    .rootCause().satisfies(e -> assertThat(((DynamoDbException) e).awsErrorDetails().errorCode())
                            .isEqualTo("AccessDeniedException"));
        }

        assertThat(store.findLink(team, "U1")).isEmpty();
        assertThat(store.slackUserOf(ops, 42)).isEmpty();
        assertThat(store.pending(code, Instant.now())).isPresent();
        assertThat(store.confirm(code, team, "U1", Instant.now())).isInstanceOf(AccessStore.Confirmation.Linked.class);
    }

    @Test
    void of_two_concurrent_confirmations_of_one_code_exactly_one_links_fifty_times() throws Exception {
        for (int r = 0; r < 50; r++) {
            int round = r;
            String code = store.holdPending(new AccessStore.Pending(ops, 2000 + round, "held" + round, 30, WHEN),
                    Instant.now().plusSeconds(600));
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<AccessStore.Confirmation>> attempts = new ArrayList<>();
            for (String user : List.of("UC" + round, "UD" + round)) {
                attempts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return store.confirm(code, team, user, Instant.now());
                }, pool));
            }
            start.countDown();
            List<AccessStore.Confirmation> results = attempts.stream().map(CompletableFuture::join).toList();
            long stored = List.of("UC" + round, "UD" + round).stream()
                    .filter(u -> store.findLink(team, u).isPresent())
                    .count();

            assertThat(results)
                    .as("round %d", round)
                    .filteredOn(c -> c instanceof AccessStore.Confirmation.Linked)
                    .hasSize(1);
            assertThat(results)
                    .as("round %d", round)
                    .filteredOn(c -> c instanceof AccessStore.Confirmation.CodeUnusable)
                    .hasSize(1);
            assertThat(stored).as("round %d", round).isEqualTo(1);
        }
    }
}
