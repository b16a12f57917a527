package dev.chatops.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.chatops.autodeploy.AutoDeployFunction;
import dev.chatops.feature.FeatureFunction;
import dev.chatops.local.LocalStack;
import dev.chatops.member.MemberFunction;
import dev.chatops.shared.Env;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CountedDynamoDb;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.user.UserFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * DynamoDB requests per command: each command typed by the local stack's linked admin, run once
 * through its function (built as Lambda builds it, with a DynamoDB client that counts what it
 * sends), its answer checked to be the command's own. Requests are counted, not timed, so one run
 * is the figure. The admin's role was read once before (a {@code whoami}), as it is for someone
 * who used the service in the last few minutes; a change runs after the reads, in the order a
 * person would type them.
 */
final class RequestCounts {
    /** One command to count: the function that answers it, its words, and what its answer says. */
    private record Counted(String function, String line, String answerContains) {
    }

    private static final List<Counted> COMMANDS = List.of(
            new Counted("UserFunction", "whoami", "on `ops`"),
            new Counted("UserFunction", "user find bob", "bob on"),
            new Counted("MemberFunction", "member list ops/chatops --ops", "admin"),
            new Counted("FeatureFunction", "feature get my_flag", "my_flag"),
            new Counted("AutoDeployFunction", "auto_deploy status", "Deployments of"),
            // A membership of the chatops project, and a production change, wait for a second person
            // (APPROVALS=production, the template's default): what is counted is the asking.
            new Counted("MemberFunction", "member add bob ops/chatops --ops", "asks for a second person's approval"),
            new Counted("FeatureFunction", "feature set my_flag 25 --actors --staging", "*staging*"),
            new Counted("FeatureFunction", "feature set my_flag 25 --actors", "asks for a second person's approval"));

    private static final Map<String, Function<Services, RequestStreamHandler>> FUNCTIONS = Map.of(
            "UserFunction", UserFunction::new,
            "MemberFunction", MemberFunction::new,
            "FeatureFunction", FeatureFunction::new,
            "AutoDeployFunction", AutoDeployFunction::new);

    private final Report report;

    RequestCounts(Report report) {
        this.report = report;
    }

    void run(Map<String, Map<String, String>> functionEnvs, CaptureServer slack) throws IOException {
        Map<String, RequestStreamHandler> handlers = new LinkedHashMap<>();
        Map<String, CountedDynamoDb> counters = new LinkedHashMap<>();
        for (String function : FUNCTIONS.keySet()) {
            Env env = Env.of(functionEnvs.get(function));
            CountedDynamoDb dynamo = new CountedDynamoDb();
            counters.put(function, dynamo);
            handlers.put(function, FUNCTIONS.get(function).apply(new Services(env, dynamo.client(), Clock.systemUTC(),
                    ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls()))));
        }
        answer(handlers.get("UserFunction"), COMMANDS.get(0), slack);
        for (Counted command : COMMANDS) {
            CountedDynamoDb dynamo = counters.get(command.function());
            dynamo.clear();
            answer(handlers.get(command.function()), command, slack);
            List<String> requests = dynamo.requests();
            long linkReads = requests.stream()
                    .filter(r -> r.equals("GetItem slack#" + LocalStack.LOCAL_TEAM + "#" + LocalStack.LOCAL_ADMIN))
                    .count();
            report.add("DynamoDB requests: " + command.line(), requests.size(), requests.size(), "requests", 1,
                    "caller's link read " + linkReads + "×: " + String.join(", ", shortened(requests)));
        }
    }

    private static void answer(RequestStreamHandler handler, Counted command, CaptureServer slack) throws IOException {
        String path = "/bench/requests/" + UUID.randomUUID();
        byte[] payload = BenchEvents.asLocalAdmin(command.line(), slack.url(path)).toJson()
                .getBytes(StandardCharsets.UTF_8);
        handler.handleRequest(new ByteArrayInputStream(payload), new ByteArrayOutputStream(),
                new LocalLambdaContext(command.function(), Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.awaitPosts(path, 1, Duration.ofSeconds(10));
        String answer = posts.isEmpty() ? "(nothing)" : CaptureServer.textOf(posts.get(posts.size() - 1));
        if (!answer.contains(command.answerContains())) {
            throw new IllegalStateException(command.line() + " did not answer as itself: " + answer);
        }
    }

    /** {@code GetItem slack#T0LOCAL#U0LOCALADMIN} as {@code GetItem slack#}: which kind of item, not whose. */
    private static List<String> shortened(List<String> requests) {
        return requests.stream().map(r -> r.replaceFirst("#.*", "#")).toList();
    }
}
