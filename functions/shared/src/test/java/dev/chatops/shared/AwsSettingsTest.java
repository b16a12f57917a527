package dev.chatops.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.chatops.shared.runtime.AwsClients;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The command functions' credentials as Lambda hands them out under SnapStart: no key variables,
 * a container credentials endpoint instead. Driven through the SDK's system properties (the test
 * JVM's environment is left as it is); the ones other tests set are cleared first and put back.
 */
class AwsSettingsTest {
    private static final List<String> PROPERTIES = List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken",
            "aws.containerCredentialsFullUri", "aws.containerAuthorizationToken", "aws.containerAuthorizationTokenFile",
            "aws.containerCredentialsPath", "aws.endpointUrl", "aws.region");
    private static final String TOKEN = "snapstart-authorization-token";

    private final Map<String, String> saved = new HashMap<>();
    private ContainerCredentialsEndpoint endpoint;

    @BeforeEach
    void setUp() {
        for (String variable : List.of("AWS_ACCESS_KEY_ID", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
            assumeTrue(System.getenv(variable) == null, "run without " + variable + " in the environment");
        }
        for (String property : PROPERTIES) {
            saved.put(property, System.getProperty(property));
            System.clearProperty(property);
        }
        endpoint = ContainerCredentialsEndpoint.start(TOKEN, Clock.systemUTC(), Duration.ofHours(6));
        System.setProperty("aws.containerCredentialsFullUri", endpoint.uri());
        System.setProperty("aws.containerAuthorizationToken", TOKEN);
    }

    @AfterEach
    void tearDown() {
        if (endpoint != null) {
            endpoint.close();
        }
        saved.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
    }

    @Test
    void credentials_come_from_the_container_endpoint_when_no_keys_are_set_as_under_snapstart() {
        AwsCredentials credentials = AwsSettings.credentials().resolveCredentials();

        assertThat(credentials.accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(1));
        assertThat(credentials.secretAccessKey()).isEqualTo(ContainerCredentialsEndpoint.secretAccessKey(1));
        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(((AwsSessionCredentials) credentials).sessionToken())
                .isEqualTo(ContainerCredentialsEndpoint.sessionToken(1));
        assertThat(endpoint.served()).isEqualTo(1);
    }

    @Test
    void a_command_functions_client_signs_with_the_container_credentials_and_sends_the_session_token() {
        try (CaptureServer dynamoDb = new CaptureServer().start()) {
            dynamoDb.answerByDefault(CaptureServer.Answer.of(200, "{\"TableNames\":[]}"));
            System.setProperty("aws.endpointUrl", dynamoDb.url(""));
            System.setProperty("aws.region", "us-east-1");

            try (DynamoDbClient client = AwsClients.dynamoDb()) {
                client.listTables();
            }

            Map<String, String> headers = dynamoDb.posts().get(0).headers();
            assertThat(headers.get("Authorization"))
                    .contains("Credential=" + ContainerCredentialsEndpoint.accessKeyId(1) + "/");
            assertThat(headers.get("X-Amz-Security-Token")).isEqualTo(ContainerCredentialsEndpoint.sessionToken(1));
        }
    }

    @Test
    void key_properties_set_for_tests_come_before_the_container_endpoint() {
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");

        assertThat(AwsSettings.credentials().resolveCredentials().accessKeyId()).isEqualTo("testing");
        assertThat(endpoint.requests()).isZero();
    }

    @Test
    void a_wrong_token_gets_no_credentials() {
        System.setProperty("aws.containerAuthorizationToken", "not-the-token");

        assertThatThrownBy(() -> AwsSettings.credentials().resolveCredentials()).isInstanceOf(RuntimeException.class);
        assertThat(endpoint.served()).isZero();
    }
}
