package dev.chatops.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * A DynamoDB client (on moto, as every test's) that notes each request it sends, as
 * {@code "GetItem pk"} for a read by key and the operation's name otherwise: how many requests a
 * command costs, and which, read as a test's figures.
 */
public final class CountedDynamoDb {
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final DynamoDbClient client = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                @Override
                public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                    requests.add(describe(context.request()));
                }
            })).build();

    public DynamoDbClient client() {
        return client;
    }

    /** Every request sent so far, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
    }

    private static String describe(SdkRequest request) {
        String operation = request.getClass().getSimpleName().replaceFirst("Request$", "");
        if (request instanceof GetItemRequest get && get.key().containsKey("pk")) {
            return operation + " " + get.key().get("pk").s();
        }
        return operation;
    }
}
