package dev.chatops.testing;

import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * For a test class: a real moto_server (one per test JVM, started on first use, stopped when the
 * JVM's tests end), reset, with template.yaml's resources created on it and the AWS SDK pointed at
 * it. Tests take {@link LocalAws} or {@link MotoServer} as parameters.
 */
public final class MotoExtension implements BeforeAllCallback, ParameterResolver {
    /** The signing secret stored in the template's secret for tests. */
    public static final String SIGNING_SECRET = "test-signing-secret-0123456789abcdef";
    /** The admin token of every GitLab instance in tests (the stand-in's, when seeded with it). */
    public static final String GITLAB_TOKEN = "glpat-test-admin-token";
    /** The read-only ({@code read_api}) admin token of every GitLab instance in tests. */
    public static final String GITLAB_READ_TOKEN = "glpat-test-read-token";
    /** The OAuth application tests register on the GitLab stand-in. */
    public static final String OAUTH_CLIENT_ID = "chatops-test";
    public static final String OAUTH_CLIENT_SECRET = "test-oauth-secret";

    /** The template parameters tests deploy with. */
    public static Map<String, String> parameters() {
        return Map.of(
                "SlackSigningSecret",
                SIGNING_SECRET,
                "GitLabTokens",
                "{\"ops\":\"" + GITLAB_TOKEN + "\",\"staging\":\"" + GITLAB_TOKEN + "\",\"production\":\""
                        + GITLAB_TOKEN + "\"}",
                "GitLabReadTokens",
                "{\"ops\":\"" + GITLAB_READ_TOKEN + "\",\"staging\":\"" + GITLAB_READ_TOKEN + "\",\"production\":\""
                        + GITLAB_READ_TOKEN + "\"}",
                "GitLabOAuthClientId",
                OAUTH_CLIENT_ID,
                "GitLabOAuthClientSecret",
                OAUTH_CLIENT_SECRET);
    }
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(MotoExtension.class);

    private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final MotoServer server = MotoServer.start();

        @Override
        public void close() {
            server.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        MotoServer server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("moto", key -> new Running(), Running.class).server;
        server.configureSdk();
        server.reset();
        LocalAws aws = LocalAws.create(parameters());
        // Only the root store owns the server: JUnit closes AutoCloseable values when their store's context ends.
        context.getStore(NAMESPACE).put("aws", aws);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalAws.class || type == MotoServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == LocalAws.class) {
            return context.getStore(NAMESPACE).get("aws", LocalAws.class);
        }
        return context.getRoot().getStore(NAMESPACE).get("moto", Running.class).server;
    }
}
