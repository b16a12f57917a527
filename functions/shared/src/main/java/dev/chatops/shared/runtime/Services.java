package dev.chatops.shared.runtime;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Env;
import dev.chatops.shared.Priming;
import dev.chatops.shared.approval.ApprovalStore;
import dev.chatops.shared.access.AccessCheck;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.DelegatedAccessCheck;
import dev.chatops.shared.access.GitLabAccessCheck;
import dev.chatops.shared.access.Authorizer;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.gitlab.GitLab;
import dev.chatops.shared.gitlab.GitLabConfig;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The collaborators a command function is built from, made once per container: in Lambda from
 * the process environment and the SDK's default configuration, in the local runner and in tests
 * from a map and clients pointed at moto. Configuration is read here, at start-up, so a missing
 * variable stops the function with its name; secrets are read from Secrets Manager when first used.
 */
public final class Services {
    /** Secrets Manager id of the key that signs "Connect your GitLab account" links. */
    public static final String LINK_STATE_SECRET_ID = "LINK_STATE_SECRET_ID";
    /**
     * The function (AccessCheckFunction's alias) that reads callers' roles for a function holding
     * no GitLab token; unset: read them here.
     */
    public static final String ACCESS_CHECK_FUNCTION = "ACCESS_CHECK_FUNCTION_NAME";

    private final Env env;
    private final RuntimeConfig config;
    private final GitLabConfig gitlabConfig;
    private final DynamoDbClient dynamo;
    private final Clock clock;
    private final ResponseUrlClient replies;
    // Each made once, when first needed (a command that never reads a secret never calls Secrets Manager).
    private final Lazy<SecretsManagerClient> secrets = new Lazy<>(AwsClients::secretsManager);
    private final Lazy<GitLab> gitlab;
    private final Lazy<GitLab> gitlabWriter;
    private final Lazy<LinkState> linkState;

    public Services(Env env, DynamoDbClient dynamo, Clock clock, ResponseUrlClient replies) {
        this.env = env;
        this.config = RuntimeConfig.from(env);
        this.gitlabConfig = GitLabConfig.from(env);
        if (!gitlabConfig.instances().containsKey(config.productionInstance())) {
            // A typo here would switch off the production role, the channel rule and feature's checks.
            throw new ConfigurationException("instance " + config.productionInstance() + " in "
                    + RuntimeConfig.PRODUCTION_INSTANCE + " is not in " + GitLabConfig.INSTANCES);
        }
        env.require(LINK_STATE_SECRET_ID);
        this.dynamo = dynamo;
        this.clock = clock;
        this.replies = replies;
        this.gitlab = new Lazy<>(
                () -> new GitLab(gitlabConfig, secret(env.require(GitLabConfig.READ_TOKENS_SECRET_ID))::field));
        this.gitlabWriter =
                new Lazy<>(() -> new GitLab(gitlabConfig, secret(env.require(GitLabConfig.TOKENS_SECRET_ID))::field));
        this.linkState = new Lazy<>(() -> new LinkState(secret(env.require(LINK_STATE_SECRET_ID)), clock));
    }

    /** Production wiring: fails at start-up, naming the variable, when configuration is missing. */
    public static Services fromEnvironment(Env env) {
        return fromEnvironment(env, Clock.systemUTC());
    }

    public static Services fromEnvironment(Env env, Clock clock) {
        return new Services(
                env,
                AwsClients.dynamoDb(),
                clock,
                ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls()));
    }

    /** The function's environment, for configuration of its own (each function's config class reads it). */
    public Env env() {
        return env;
    }

    /** Where changes to production may be made from (empty: anywhere), and which instance is production. */
    public ChannelRule channelRule() {
        return new ChannelRule(
                config.productionChannels(), config.productionInstance(), gitlabConfig.defaultInstance());
    }

    public Clock clock() {
        return clock;
    }

    public ResponseUrlClient replies() {
        return replies;
    }

    public RequestClaims claims() {
        return new RequestClaims(dynamo, config.requestsTable());
    }

    /** At most one command of a kind running per person, kept in the requests table. */
    public OneAtATime oneAtATime() {
        return new OneAtATime(dynamo, config.requestsTable());
    }

    public WrongGuesses wrongGuesses() {
        return new WrongGuesses(dynamo, config.requestsTable());
    }

    /** Which changes wait for a second person, for how long, and where their approvals are kept. */
    public Approvals approvals() {
        return new Approvals(config.approvals(), config.approvalTtl(), config.approvalsTable().isEmpty()
                ? Optional.empty() : Optional.of(new ApprovalStore(dynamo, config.approvalsTable())));
    }

    public AuditLog audit() {
        return new AuditLog(dynamo, config.auditTable());
    }

    public AccessStore access() {
        return new AccessStore(dynamo, config.accessTable());
    }

    /** The GitLab instances ChatOps knows; no token needed. */
    public GitLabConfig gitlabConfig() {
        return gitlabConfig;
    }

    /**
     * The GitLab instances with their read-only admin tokens ({@code read_api}), read from Secrets
     * Manager when first needed: for checking roles and for commands that only read. A function
     * without {@link GitLabConfig#READ_TOKENS_SECRET_ID} stops at start-up naming it.
     */
    public GitLab gitlab() {
        return gitlab.get();
    }

    /**
     * The GitLab instances with the admin tokens that may write: only for the commands that change
     * GitLab (member, feature). A function without {@link GitLabConfig#TOKENS_SECRET_ID} stops at
     * start-up naming it.
     */
    public GitLab gitlabWriter() {
        return gitlabWriter.get();
    }

    public LinkState linkState() {
        return linkState.get();
    }

    /** A Secrets Manager secret, read when first needed through this function's one client. */
    public SecretValue secret(String secretId) {
        return new SecretValue(secrets, secretId);
    }

    /**
     * How a caller's level and 2FA are read: by the function named in {@link #ACCESS_CHECK_FUNCTION}
     * when set (a function that holds no GitLab token), else with this function's read-only tokens.
     */
    public AccessCheck accessCheck() {
        return env.optional(ACCESS_CHECK_FUNCTION)
                .<AccessCheck>map(function -> new DelegatedAccessCheck(new Lazy<>(AwsClients::lambda), function))
                .orElseGet(() -> {
                    // Made now, so that a function without its read-only tokens' variable stops at start-up naming it.
                    GitLab instances = gitlab();
                    return new GitLabAccessCheck(() -> instances, clock);
                });
    }

    /** The SnapStart warm-up of a function running {@code commands} ({@link CommandPriming}). */
    Runnable priming(List<Command> commands) {
        return new CommandPriming(commands, gitlabConfig.instances().keySet(), replies);
    }

    /**
     * Registers the SnapStart hook of a function that runs no command (the access check, the
     * linking pages, the failure notice): a reply and the SDK's requests, sent to a loopback server
     * ({@link CommandPriming}). The function keeps what this returns.
     */
    public Priming registerPriming(String function) {
        return Priming.register(function, priming(List.of()));
    }

    public Authorizer authorizer() {
        return new Authorizer(access(), gitlabConfig, accessCheck(), clock, config.levelMaxAge(),
                config.keepsAccessSnapshots() ? Authorizer.Snapshots.KEEP : Authorizer.Snapshots.READ_ONLY);
    }
}
