package dev.chatops.shared.runtime;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.testing.LocalAws;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Real collaborators for runtime tests: a DynamoDB client on moto, the template's tables, a reply
 * client allowed to post to loopback.
 */
final class RuntimeFixture {
    final DynamoDbClient dynamo;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    final Services services;

    RuntimeFixture(LocalAws aws, Clock clock) {
        this(aws, clock, "http://127.0.0.1:9");
    }

    /** With the ops instance at {@code gitlabUrl} (a stand-in; port 9 when none is needed: nothing listens there). */
    RuntimeFixture(LocalAws aws, Clock clock, String gitlabUrl) {
        this(aws, clock, gitlabUrl, DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build());
    }

    RuntimeFixture(LocalAws aws, Clock clock, String gitlabUrl, DynamoDbClient dynamo) {
        this.dynamo = dynamo;
        Env env = Env.of(aws.functionEnvironment("UserFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "https://hooks.slack.com,http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + gitlabUrl + ",production=http://localhost:9",
                "CHATOPS_PROJECT", "ops/chatops")));
        ResponseUrlClient replies = new ResponseUrlClient(ResponseUrlPolicy.parse("https://hooks.slack.com,http://127.0.0.1"),
                clock, sleeps::add, Duration.ofSeconds(2));
        services = new Services(env, dynamo, clock, replies);
    }

    /**
     * What Lambda does to an invocation that runs out of time, or a crash: it stops there, with no
     * chance to catch anything (an Error, which the runtime does not turn into a reply).
     */
    static final class CutShort extends Error {
        CutShort() {
            super("the invocation was cut short");
        }
    }

    /** A reply whose gzipped JSON is over what a DynamoDB item may hold (random text does not compress). */
    static List<Message> tooLargeToStore() {
        Random random = new Random(7);
        Reply.Builder huge = Reply.ephemeral("huge");
        for (int i = 0; i < 250; i++) {
            byte[] noise = new byte[2200];
            random.nextBytes(noise);
            huge.text(Base64.getEncoder().encodeToString(noise));
        }
        return huge.build().messages();
    }

    /** A command for tests: its declaration and what each of its forms does. */
    static Command command(CommandSpec spec, Function<CommandCall, Reply> run) {
        Map<String, Command.Handler> handlers = new LinkedHashMap<>();
        spec.forms().forEach(form -> handlers.put(Command.keyOf(form), run::apply));
        return command(spec, handlers);
    }

    /** A command for tests with exactly {@code handlers}. */
    static Command command(CommandSpec spec, Map<String, Command.Handler> handlers) {
        return new Command() {
            @Override
            public CommandSpec spec() {
                return spec;
            }

            @Override
            public Map<String, Command.Handler> handlers() {
                return handlers;
            }
        };
    }

    static CommandRequest request(String command, List<String> args, String responseUrl) {
        return new CommandRequest(UUID.randomUUID().toString(), "T1", "", "U1", "alice", "C1", "ops", "/chatops",
                command, args, Map.of(), String.join(" ", args), responseUrl, Instant.now());
    }
}
