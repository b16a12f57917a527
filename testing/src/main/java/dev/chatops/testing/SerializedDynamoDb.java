package dev.chatops.testing;

import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A DynamoDB client whose requests reach moto one at a time. DynamoDB's conditional writes are
 * atomic and its transactions serializable; moto's are not under concurrent requests (two can
 * check before either writes, a failed transaction can undo another's writes). Concurrency tests
 * use this client so that the server orders requests as DynamoDB would, while the code under test
 * still races on the client side.
 */
public final class SerializedDynamoDb {
    private static final Semaphore ONE_AT_A_TIME = new Semaphore(1);
    private static final ThreadLocal<Boolean> HOLDING = ThreadLocal.withInitial(() -> false);

    private SerializedDynamoDb() {
    }

    public static DynamoDbClient client() {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        if (!HOLDING.get()) {
                            ONE_AT_A_TIME.acquireUninterruptibly();
                            HOLDING.set(true);
                        }
                    }

                    @Override
                    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
                        release();
                    }

                    @Override
                    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
                        release();
                    }
                })).build();
    }

    private static void release() {
        if (HOLDING.get()) {
            HOLDING.set(false);
            ONE_AT_A_TIME.release();
        }
    }
}
