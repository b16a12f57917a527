package dev.chatops.accesscheck;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.Priming;
import dev.chatops.shared.access.AccessCheckAnswers;
import dev.chatops.shared.access.DelegatedAccessCheck.AccessCheckRequest;
import dev.chatops.shared.access.GitLabAccessCheck;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.runtime.Services;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a linked caller's role and 2FA from GitLab, with the read-only token, for a function that
 * holds no GitLab token ({@code explain}, through {@link dev.chatops.shared.access.DelegatedAccessCheck}),
 * and keeps them as the authoriser would. It does nothing else: a function allowed to invoke it can
 * learn a linked person's role, which GitLab's members page shows anyway, and make it be read again
 * — never run a command, never in anyone's name.
 */
public final class AccessCheckFunction implements RequestStreamHandler {
    /** SnapStart's hook (a reply and the SDK's requests, to loopback), held: Lambda keeps it by weak reference. */
    private final Priming priming;
    private final AccessCheckAnswers answers;

    /** Lambda's constructor: configuration from the process environment. */
    public AccessCheckFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public AccessCheckFunction(Env env) {
        this(Services.fromEnvironment(env));
    }

    public AccessCheckFunction(Services services) {
        // Made now, so that a function without its read-only tokens' variable stops at start-up naming it.
        GitLab instances = services.gitlab();
        this.answers = new AccessCheckAnswers(services.access(), services.gitlabConfig().chatopsInstance(),
                new GitLabAccessCheck(() -> instances, services.clock()));
        this.priming = services.registerPriming("AccessCheckFunction");
    }

    /** The SnapStart hook this function registered. */
    Priming priming() {
        return priming;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Optional<AccessCheckRequest> asked;
        try {
            asked = AccessCheckRequest.in(Json.readObject(new String(input.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (RuntimeException notAnObject) {
            asked = Optional.empty();
        }
        if (asked.isEmpty()) {
            Log.warn("access.check_unreadable");
            output.write(AccessCheckRequest.failed("not an access check").getBytes(StandardCharsets.UTF_8));
            return;
        }
        output.write(answers.answer(asked.get()).getBytes(StandardCharsets.UTF_8));
    }
}
