package dev.chatops.gateway;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * The execution role's credentials, the two ways Lambda hands them out: the key variables
 * ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}) when
 * SnapStart is off, and the container credentials endpoint when it is on (Lambda developer guide,
 * SnapStart, "credentials"): {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, with the token of
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} or of the file {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}
 * names. Each setting is its environment variable, else the SDK's matching {@code aws.*} system
 * property (the local runner's and the tests').
 *
 * <p>Written here rather than taken from the SDK because of its size: the SDK's
 * {@code ContainerCredentialsProvider} comes with its auth and regions modules, which the gateway
 * leaves out for its jar and its cold start (see {@link AwsRequests}). It follows that provider's
 * protocol and rules (SDK 2.57):
 * <ul>
 *   <li>GET the full URI, header {@code Authorization: <token>}; the JSON answer holds
 *       {@code AccessKeyId}, {@code SecretAccessKey}, {@code Token}, {@code Expiration};</li>
 *   <li>plain http only to a host whose addresses are all loopback, or to the ECS and EKS container
 *       endpoints {@code 169.254.170.2}, {@code 169.254.170.23}, {@code [fd00:ec2::23]}; https to any
 *       host; checked before any request;</li>
 *   <li>no proxy, no redirects, 1 s to connect and 1 s to read;</li>
 *   <li>credentials are kept until 15 minutes before their {@code Expiration} (at most an hour), then
 *       fetched again; a fetch that fails while more than a minute is left keeps the ones it has, later
 *       it throws.</li>
 * </ul>
 * Unlike the SDK it does not retry a failed fetch (the SDK tries up to 5 more times): Slack waits 3
 * seconds for the whole request, and a failure is not cached, so the next request asks again. It
 * fetches on the first AWS request, never at init, so no credentials are frozen into a SnapStart
 * snapshot. Refreshes are serialised; a failure's message names the endpoint's host and what went
 * wrong, never the token or a key.
 */
final class ExecutionRole {
    static final String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    static final String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    static final String SESSION_TOKEN = "AWS_SESSION_TOKEN";
    static final String FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
    static final String AUTHORIZATION_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    static final String AUTHORIZATION_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(15);
    private static final Duration LONGEST_KEPT = Duration.ofHours(1);
    private static final Duration STALE_BEFORE_EXPIRY = Duration.ofMinutes(1);
    private static final Set<String> CONTAINER_HOSTS = Set.of("169.254.170.2", "169.254.170.23", "[fd00:ec2::23]");
    private static final int LARGEST_ANSWER = 64 * 1024;

    /** Reads one standard setting: its environment variable, else its system property; blank is unset. */
    @FunctionalInterface
    interface Settings {
        Optional<String> get(String variable, String property);
    }

    private record Fetched(AwsCredentialsIdentity identity, Instant refreshAt, Instant staleAt) {
    }

    private final Settings settings;
    private final Clock clock;
    private Fetched fetched;

    ExecutionRole(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** From the process's environment and system properties. */
    static ExecutionRole standard() {
        return new ExecutionRole(AwsRequests::setting, Clock.systemUTC());
    }

    /** The key variables when set, else the container endpoint's (cached) credentials. */
    AwsCredentialsIdentity credentials() {
        Optional<String> key = settings.get(ACCESS_KEY_ID, "aws.accessKeyId");
        if (key.isEmpty()) {
            return fromContainer();
        }
        String secret = settings.get(SECRET_ACCESS_KEY, "aws.secretAccessKey")
                .orElseThrow(() -> new ConfigurationException("missing environment variable " + SECRET_ACCESS_KEY));
        return settings.get(SESSION_TOKEN, "aws.sessionToken")
                .<AwsCredentialsIdentity>map(token -> AwsSessionCredentialsIdentity.create(key.get(), secret, token))
                .orElseGet(() -> AwsCredentialsIdentity.create(key.get(), secret));
    }

    private synchronized AwsCredentialsIdentity fromContainer() {
        Instant now = clock.instant();
        if (fetched != null && now.isBefore(fetched.refreshAt())) {
            return fetched.identity();
        }
        try {
            fetched = fetch(now);
        } catch (ExecutionRoleException e) {
            if (fetched == null || !now.isBefore(fetched.staleAt())) {
                throw e;
            }
            Log.warn(
                    "credentials.refresh_failed",
                    "reason",
                    e.getMessage(),
                    "kept_until",
                    fetched.staleAt().toString());
        }
        return fetched.identity();
    }

    private Fetched fetch(Instant now) {
        String text = settings.get(FULL_URI, "aws.containerCredentialsFullUri")
                .orElseThrow(() -> new ConfigurationException(
                        "missing environment variable " + ACCESS_KEY_ID + " or " + FULL_URI));
        URI uri = checked(text);
        Optional<String> token = token();
        Map<String, Object> answer;
        try {
            answer = Json.readObject(get(uri, token));
        } catch (IllegalArgumentException e) {
            // Not chained: the parser's message may quote the answer, keys and all.
            throw new ExecutionRoleException(where(uri) + " answered 200 with malformed JSON");
        }
        String key = text(answer.get("AccessKeyId"));
        String secret = text(answer.get("SecretAccessKey"));
        String session = text(answer.get("Token"));
        if (key == null || secret == null) {
            throw new ExecutionRoleException(where(uri) + " answered 200 without AccessKeyId and SecretAccessKey");
        }
        AwsCredentialsIdentity identity = session == null
                ? AwsCredentialsIdentity.create(key, secret)
                : AwsSessionCredentialsIdentity.create(key, secret, session);
        Instant expiration = expiration(uri, answer.get("Expiration"));
        Instant latest = now.plus(LONGEST_KEPT);
        if (expiration == null) {
            return new Fetched(identity, latest, Instant.MAX);
        }
        Instant beforeExpiry = expiration.minus(REFRESH_BEFORE_EXPIRY);
        return new Fetched(
                identity, beforeExpiry.isBefore(latest) ? beforeExpiry : latest, expiration.minus(STALE_BEFORE_EXPIRY));
    }

    /** The answer's body (a JSON object), or a {@link ExecutionRoleException} naming the host and the status. */
    private static String get(URI uri, Optional<String> token) {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException(FULL_URI + " is not a URL this runtime can open");
        }
        try {
            connection.setConnectTimeout((int) TIMEOUT.toMillis());
            connection.setReadTimeout((int) TIMEOUT.toMillis());
            connection.setInstanceFollowRedirects(false);
            connection.setRequestMethod("GET");
            connection.setRequestProperty("Accept", "application/json");
            if (token.isPresent()) {
                connection.setRequestProperty("Authorization", token.get());
            }
            int status = connection.getResponseCode();
            if (status == 401 || status == 403) {
                throw new ExecutionRoleException(
                        where(uri) + " refused the authorization token (status " + status + ")");
            }
            if (status != 200) {
                throw new ExecutionRoleException(where(uri) + " answered status " + status);
            }
            try (InputStream body = connection.getInputStream()) {
                byte[] bytes = body.readNBytes(LARGEST_ANSWER + 1);
                if (bytes.length > LARGEST_ANSWER) {
                    throw new ExecutionRoleException(where(uri) + " answered more than " + LARGEST_ANSWER + " bytes");
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                if (!text.strip().startsWith("{")) {
                    throw new ExecutionRoleException(where(uri) + " answered 200 without a JSON object");
                }
                return text;
            }
        } catch (IOException e) {
            throw new ExecutionRoleException(where(uri) + " did not answer: " + e.getClass().getSimpleName(), e);
        } finally {
            connection.disconnect();
        }
    }

    /** The full URI, if the SDK would call it: https anywhere; http only on loopback or the container hosts. */
    static URI checked(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException(FULL_URI + " is not a URI");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new ConfigurationException(FULL_URI + " must be an http or https URL with a host");
        }
        if (scheme.equals("https") || CONTAINER_HOSTS.contains(host)) {
            return uri;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigurationException("host " + host + " of " + FULL_URI + " does not resolve");
        }
        if (addresses.length == 0 || !Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress)) {
            throw new ConfigurationException(FULL_URI + " may use plain http only on a loopback host or a container"
                    + " credentials host (169.254.170.2, 169.254.170.23, [fd00:ec2::23]), not on " + host);
        }
        return uri;
    }

    /**
     * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, else the content of {@code
     * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}.
     */
    private Optional<String> token() {
        Optional<String> token = settings.get(AUTHORIZATION_TOKEN, "aws.containerAuthorizationToken");
        if (token.isEmpty()) {
            Optional<String> file = settings.get(AUTHORIZATION_TOKEN_FILE, "aws.containerAuthorizationTokenFile");
            if (file.isPresent()) {
                try {
                    token = Optional.of(Files.readString(Path.of(file.get())).strip()).filter(t -> !t.isEmpty());
                } catch (IOException | InvalidPathException e) {
                    throw new ConfigurationException("cannot read the file " + AUTHORIZATION_TOKEN_FILE + " names", e);
                }
            }
        }
        // The JDK would refuse such a header with the value in its message.
        if (token.isPresent() && token.get().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new ConfigurationException("the container authorization token holds control characters");
        }
        return token;
    }

    private static String text(Object value) {
        return value instanceof String text && !text.isBlank() ? text : null;
    }

    private static Instant expiration(URI uri, Object value) {
        String text = text(value);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.strip().replaceFirst("\\+0000$", "Z")).toInstant();
        } catch (DateTimeParseException e) {
            throw new ExecutionRoleException(where(uri) + " answered an Expiration that is not an ISO-8601 time");
        }
    }

    private static String where(URI uri) {
        return "container credentials endpoint " + uri.getHost();
    }
}
