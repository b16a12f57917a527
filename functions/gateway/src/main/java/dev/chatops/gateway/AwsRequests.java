package dev.chatops.gateway;

import dev.chatops.shared.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The gateway's two AWS calls, Lambda {@code Invoke} and Secrets Manager {@code GetSecretValue},
 * signed with the AWS SDK's own SigV4 signer and sent with the JDK's URL connection. Written here
 * rather than through the SDK's service clients because the benchmark (bin/chatops-bench) showed
 * those clients' construction and request pipelines to be the bulk of the gateway's cold start and
 * of its jar, and the gateway needs two requests of fixed shape.
 *
 * <p>Settings follow the SDK's standard ones, read from the environment as Lambda sets them or from
 * the matching system properties (the local runner's): region {@code AWS_REGION}; credentials as
 * Lambda hands them out, with or without SnapStart ({@link ExecutionRole}); endpoints
 * {@code AWS_ENDPOINT_URL_<SERVICE>}, then {@code AWS_ENDPOINT_URL}, then the service's regional
 * endpoint in the {@code aws} partition (other partitions: set {@code AWS_ENDPOINT_URL_<SERVICE>}).
 * The SDK's region and credentials modules are left out on purpose: they are most of a jar.
 */
final class AwsRequests {
    /** The longest a connection may take to open; a call's own timeout may make it shorter. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    /** An AWS answer: its status and body. */
    record Response(int status, String body) {
    }

    /**
     * No connection could be opened (refused, unresolved, timed out, TLS handshake failed): nothing
     * of the request reached AWS. Any other {@link IOException} from {@link #post} came after the
     * connection was open, when AWS may have acted on the request without our hearing its answer.
     */
    static final class NotSentException extends IOException {
        NotSentException(IOException cause) {
            super(cause.getClass().getSimpleName(), cause);
        }
    }

    /** Where and how one service is called. */
    record Service(String signingName, String envSuffix, String propertySuffix, String hostPrefix) {
        static final Service LAMBDA = new Service("lambda", "LAMBDA", "Lambda", "lambda");
        static final Service SECRETS_MANAGER = new Service("secretsmanager", "SECRETS_MANAGER", "SecretsManager",
                "secretsmanager");
    }

    private final String region = setting("AWS_REGION", "aws.region")
            .orElseThrow(() -> new ConfigurationException("missing environment variable AWS_REGION"));
    private final ExecutionRole role;
    /** Every service at this base URL instead of its standard endpoint; null: the standard ones. */
    private final String endpointOverride;

    AwsRequests() {
        this(ExecutionRole.standard());
    }

    AwsRequests(ExecutionRole role) {
        this(role, null);
    }

    /** Every request to {@code endpoint} (SnapStart's priming sends its samples to its loopback server). */
    AwsRequests(ExecutionRole role, String endpoint) {
        this.role = role;
        this.endpointOverride = endpoint;
    }

    /**
     * One signed POST, given {@code timeout} to connect (at most a second of it) and, once
     * connected, again to send and be answered.
     *
     * @throws NotSentException when no connection could be opened
     * @throws IOException when the connection failed or timed out after it was opened
     */
    Response post(Service service, String path, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        URI uri = URI.create(endpoint(service) + path);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri);
        headers.forEach(request::putHeader);
        request.putHeader("Content-Length", Integer.toString(body.length));
        AwsCredentialsIdentity identity = role.credentials();
        SignedRequest signed = SIGNER.sign(r -> r.identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service.signingName())
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setConnectTimeout((int) Math.min(millis, CONNECT_TIMEOUT.toMillis()));
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (!name.equals("host") && !name.equals("content-length")) {
                    connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
                }
            }
            connection.setFixedLengthStreamingMode(body.length);
            try {
                connection.connect();
            } catch (IOException e) {
                throw new NotSentException(e);
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return new Response(status, stream == null ? "" : read(stream));
        } finally {
            connection.disconnect();
        }
    }

    /** A standard setting: its environment variable, else its system property; blank counts as unset. */
    static Optional<String> setting(String env, String property) {
        String value = System.getenv(env);
        if (value == null || value.isBlank()) {
            value = System.getProperty(property);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    private String endpoint(Service service) {
        if (endpointOverride != null) {
            return endpointOverride;
        }
        String[] candidates = {
            System.getenv("AWS_ENDPOINT_URL_" + service.envSuffix()),
            System.getProperty("aws.endpointUrl" + service.propertySuffix()),
            System.getenv("AWS_ENDPOINT_URL"),
            System.getProperty("aws.endpointUrl")};
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.endsWith("/") ? candidate.substring(0, candidate.length() - 1) : candidate;
            }
        }
        return "https://" + service.hostPrefix() + "." + region + ".amazonaws.com";
    }

    private static String read(InputStream stream) throws IOException {
        try (stream) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            stream.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
