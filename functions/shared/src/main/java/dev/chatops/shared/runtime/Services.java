package dev.chatops.shared.runtime;

import dev.chatops.shared.Env;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Authorizer;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The collaborators a command function is built from, made once per container: in Lambda from
 * the process environment and the SDK's default configuration, in the local runner and in tests
 * from a map and a client pointed at moto.
 */
public final class Services {
    private final Env env;
    private final RuntimeConfig config;
    private final DynamoDbClient dynamo;
    private final Clock clock;
    private final ResponseUrlClient replies;

    public Services(Env env, DynamoDbClient dynamo, Clock clock, ResponseUrlClient replies) {
        this.env = env;
        this.config = RuntimeConfig.from(env);
        this.dynamo = dynamo;
        this.clock = clock;
        this.replies = replies;
    }

    /** Production wiring: fails at start-up, naming the variable, when configuration is missing. */
    public static Services fromEnvironment(Env env) {
        return fromEnvironment(env, Clock.systemUTC());
    }

    public static Services fromEnvironment(Env env, Clock clock) {
        return new Services(env, AwsClients.dynamoDb(), clock, ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls()));
    }

    /** The function's environment, for configuration of its own (each function's config class reads it). */
    public Env env() {
        return env;
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

    public AuditLog audit() {
        return new AuditLog(dynamo, config.auditTable());
    }

    public AccessStore access() {
        return new AccessStore(dynamo, config.accessTable());
    }

    public Authorizer authorizer() {
        return new Authorizer(access(), clock, config.levelMaxAge());
    }
}
