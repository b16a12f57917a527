package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Template;
import dev.chatops.testing.aws.SamTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** events/ holds what `sam local invoke` feeds each function: these read them as Lambda's runtime would. */
class SampleEventsTest {
    private static final Path EVENTS = Template.projectRoot().resolve("events");

    @Test
    void the_gateway_event_is_an_http_api_2_event_carrying_a_signed_slash_command() throws IOException {
        APIGatewayV2HTTPEvent event = read("gateway-whoami.json", APIGatewayV2HTTPEvent.class);

        assertThat(event.getIsBase64Encoded()).isTrue();
        assertThat(event.getHeaders()).containsKeys("x-slack-request-timestamp", "x-slack-signature", "content-type");
        assertThat(event.getHeaders().keySet()).allMatch(name -> name.equals(name.toLowerCase()));
        byte[] body = Base64.getDecoder().decode(event.getBody());
        FormBody form = FormBody.parse(new String(body, StandardCharsets.UTF_8));
        assertThat(form.get("text")).contains("run whoami");
        long timestamp = Long.parseLong(event.getHeaders().get("x-slack-request-timestamp"));
        assertThat(event.getHeaders().get("x-slack-signature"))
                .isEqualTo(SlackRequests.sign(LocalStack.DEV_SIGNING_SECRET, timestamp, body));
    }

    @Test
    void sign_re_signs_an_event_in_place_with_the_current_time(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("event.json");
        Files.copy(EVENTS.resolve("gateway-whoami.json"), copy);
        long before = System.currentTimeMillis() / 1000;

        assertThat(Main.sign(List.of(copy.toString()))).isZero();

        APIGatewayV2HTTPEvent event = read(copy, APIGatewayV2HTTPEvent.class);
        long timestamp = Long.parseLong(event.getHeaders().get("x-slack-request-timestamp"));
        assertThat(timestamp).isGreaterThanOrEqualTo(before);
        String secret = System.getenv().getOrDefault("SLACK_SIGNING_SECRET", LocalStack.DEV_SIGNING_SECRET);
        assertThat(event.getHeaders().get("x-slack-signature"))
                .isEqualTo(SlackRequests.sign(secret, timestamp, Base64.getDecoder().decode(event.getBody())));
    }

    @Test
    void every_command_event_is_a_command_request() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            List<Path> requests = files.filter(p -> p.getFileName().toString().endsWith("-request.json")
                    || p.getFileName().toString().equals("user-whoami.json")).toList();
            assertThat(requests).hasSizeGreaterThanOrEqualTo(5);
            for (Path file : requests) {
                CommandRequest request = CommandRequest.fromJson(Files.readString(file));
                assertThat(request.responseUrl()).as(file.toString()).startsWith("https://hooks.slack.com/");
            }
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void the_failure_event_is_an_sqs_batch_of_lambda_destination_records() throws IOException {
        SQSEvent event = read("failure-notice-sqs.json", SQSEvent.class);

        Map<String, Object> record = Json.readObject(event.getRecords().get(0).getBody());
        assertThat(record).containsKeys("requestContext", "requestPayload", "responsePayload");
        assertThat(CommandRequest.fromMap((Map<String, Object>) record.get("requestPayload"))
                        .command())
                .isEqualTo("whoami");
    }

    @SuppressWarnings("unchecked")
    @Test
    void env_local_json_names_a_value_for_every_variable_the_template_gives_a_function() throws IOException {
        Map<String, Object> env = Json.readObject(Files.readString(EVENTS.resolve("env.local.json")));
        SamTemplate template = LocalAws.projectTemplate();
        for (String function : template.functions().keySet()) {
            for (String variable : template.function(function).environment().keySet()) {
                if (variable.equals("JAVA_TOOL_OPTIONS")) {
                    continue;
                }
                boolean given = ((Map<String, Object>) env.get("Parameters")).containsKey(variable)
                        || env.get(function) instanceof Map<?, ?> own && own.containsKey(variable);
                assertThat(given).as(function + " " + variable).isTrue();
            }
            if (env.get(function) instanceof Map<?, ?> own) {
                assertThat(template.function(function).environment().keySet())
                        .as("sam local invoke only overrides declared variables")
                        .containsAll((Set<String>) own.keySet());
            }
        }
        Set<String> declaredSomewhere = new HashSet<>();
        template.functions().values().forEach(f -> declaredSomewhere.addAll(f.environment().keySet()));
        assertThat(declaredSomewhere).as("sam local invoke only overrides declared variables")
                .containsAll(((Map<String, Object>) env.get("Parameters")).keySet());
    }

    private static <T> T read(String name, Class<T> type) throws IOException {
        return read(EVENTS.resolve(name), type);
    }

    private static <T> T read(Path file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return LambdaEventSerializers.serializerFor(type, SampleEventsTest.class.getClassLoader()).fromJson(in);
        }
    }
}
