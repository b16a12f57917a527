package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import dev.chatops.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The gateway's execution role credentials against a loopback container credentials endpoint that checks the
 * token, as Lambda's is under SnapStart. Settings come from a map, time from a clock the test moves.
 */
class ExecutionRoleTest {
    private static final String TOKEN = "container-authorization-token-7Q2x";

    private final MutableClock clock = MutableClock.now();
    private final Map<String, String> settings = new HashMap<>();
    private ContainerCredentialsEndpoint endpoint;

    @BeforeEach
    void setUp() {
        endpoint = ContainerCredentialsEndpoint.start(TOKEN, clock, Duration.ofHours(6));
        settings.put(ExecutionRole.FULL_URI, endpoint.uri());
        settings.put(ExecutionRole.AUTHORIZATION_TOKEN, TOKEN);
    }

    @AfterEach
    void tearDown() {
        endpoint.close();
    }

    private ExecutionRole role() {
        return new ExecutionRole((variable, property) -> Optional.ofNullable(settings.get(variable)), clock);
    }

    @Test
    void without_key_variables_credentials_come_from_the_container_endpoint_with_its_session_token() {
        AwsCredentialsIdentity identity = role().credentials();

        assertThat(identity.accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(1));
        assertThat(identity.secretAccessKey()).isEqualTo(ContainerCredentialsEndpoint.secretAccessKey(1));
        assertThat(identity).isInstanceOf(AwsSessionCredentialsIdentity.class);
        assertThat(((AwsSessionCredentialsIdentity) identity).sessionToken())
                .isEqualTo(ContainerCredentialsEndpoint.sessionToken(1));
        assertThat(endpoint.served()).isEqualTo(1);
    }

    @Test
    void key_variables_come_first_as_lambda_sets_them_without_snapstart() {
        settings.put(ExecutionRole.ACCESS_KEY_ID, "ASIAKEYVARIABLE");
        settings.put(ExecutionRole.SECRET_ACCESS_KEY, "secret-from-variable");
        settings.put(ExecutionRole.SESSION_TOKEN, "session-from-variable");

        AwsCredentialsIdentity identity = role().credentials();

        assertThat(identity.accessKeyId()).isEqualTo("ASIAKEYVARIABLE");
        assertThat(((AwsSessionCredentialsIdentity) identity).sessionToken()).isEqualTo("session-from-variable");
        assertThat(endpoint.requests()).isZero();
    }

    @Test
    void the_token_may_come_from_the_file_named_by_AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE(@TempDir Path dir)
            throws Exception {
        Path file = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        settings.remove(ExecutionRole.AUTHORIZATION_TOKEN);
        settings.put(ExecutionRole.AUTHORIZATION_TOKEN_FILE, file.toString());

        assertThat(role().credentials().accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(1));
    }

    @Test
    void credentials_are_reused_until_15_minutes_before_they_expire_then_fetched_again() {
        endpoint.lifetime(Duration.ofHours(1));
        ExecutionRole role = role();
        role.credentials();

        clock.advance(Duration.ofMinutes(44));
        AwsCredentialsIdentity reused = role.credentials();
        clock.advance(Duration.ofMinutes(2));
        AwsCredentialsIdentity refreshed = role.credentials();
        AwsCredentialsIdentity again = role.credentials();

        assertThat(reused.accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(1));
        assertThat(refreshed.accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(2));
        assertThat(again.accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(2));
        assertThat(endpoint.requests()).isEqualTo(2);
    }

    @Test
    void long_lived_credentials_are_fetched_again_after_an_hour_as_the_sdk_does() {
        endpoint.lifetime(Duration.ofHours(12));
        ExecutionRole role = role();
        role.credentials();

        clock.advance(Duration.ofMinutes(59));
        role.credentials();
        assertThat(endpoint.requests()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(2));
        assertThat(role.credentials().accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(2));
    }

    @Test
    void a_failed_refresh_keeps_the_credentials_until_a_minute_before_expiry_then_fails() {
        endpoint.lifetime(Duration.ofMinutes(20));
        ExecutionRole role = role();
        role.credentials();
        endpoint.answerWith(500);

        clock.advance(Duration.ofMinutes(6));
        AwsCredentialsIdentity kept = role.credentials();
        clock.advance(Duration.ofMinutes(13));

        assertThat(kept.accessKeyId()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(1));
        assertThatThrownBy(role::credentials).isInstanceOf(ExecutionRoleException.class)
                .hasMessage("container credentials endpoint 127.0.0.1 answered status 500");
        assertThat(endpoint.requests()).isEqualTo(3);
    }

    @Test
    void a_wrong_token_is_refused_and_the_error_names_the_host_and_status_but_no_token() {
        settings.put(ExecutionRole.AUTHORIZATION_TOKEN, "wrong-token-Zk81");

        assertThatThrownBy(() -> role().credentials()).isInstanceOf(ExecutionRoleException.class)
                .hasMessage("container credentials endpoint 127.0.0.1 refused the authorization token (status 401)")
                .hasNoCause();
        assertThat(endpoint.served()).isZero();
    }

    @Test
    void a_missing_token_is_refused_too() {
        settings.remove(ExecutionRole.AUTHORIZATION_TOKEN);

        assertThatThrownBy(() -> role().credentials()).isInstanceOf(ExecutionRoleException.class)
                .hasMessageContaining("refused the authorization token (status 401)");
        assertThat(endpoint.requests()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://192.0.2.10:%d/2021-04-23/credentials",
                "http://169.254.169.254/latest/meta-data/iam",
                "http://10.1.2.3:%d/credentials"
            })
    void an_http_uri_on_a_host_that_is_not_loopback_is_refused_before_any_request(String uri) {
        settings.put(
                ExecutionRole.FULL_URI,
                String.format(uri, Integer.parseInt(endpoint.uri().replaceAll(".*:(\\d+)/.*", "$1"))));
        long start = System.nanoTime();

        assertThatThrownBy(() -> role().credentials()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("plain http only on a loopback host").hasMessageNotContaining(TOKEN);
        // A connection attempt to these hosts would have waited for the 1 s connect timeout.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        assertThat(endpoint.requests()).isZero();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:9001/2021-04-23/credentials",
                "http://localhost/creds",
                "http://[::1]:80/creds",
                "http://169.254.170.2/v2/credentials/abc",
                "http://169.254.170.23/v1/credentials",
                "http://[fd00:ec2::23]/v1/credentials",
                "https://credentials.example.com/role"
            })
    void the_hosts_the_sdk_accepts_are_accepted(String uri) {
        assertThat(ExecutionRole.checked(uri)).hasToString(uri);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/role",
                "http://192.0.2.10/creds",
                "ftp://127.0.0.1/creds",
                "/2021-04-23/credentials"
            })
    void other_uris_are_refused(String uri) {
        assertThatThrownBy(() -> ExecutionRole.checked(uri)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void concurrent_first_requests_fetch_once() throws Exception {
        ExecutionRole role = role();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> role.credentials().accessKeyId());
            }
            for (Future<String> key : pool.invokeAll(calls)) {
                assertThat(key.get()).isEqualTo(ContainerCredentialsEndpoint.accessKeyId(1));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(endpoint.requests()).isEqualTo(1);
    }
}
