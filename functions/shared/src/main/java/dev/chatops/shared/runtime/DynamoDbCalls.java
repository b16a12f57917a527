package dev.chatops.shared.runtime;

import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Counts the DynamoDB API calls of this execution environment, for the {@code DynamoDbRequests}
 * metric of each attempt ({@link AttemptMetrics}): Lambda gives an environment one invocation at a
 * time, so the calls made between an attempt's start and its end are that attempt's.
 */
public final class DynamoDbCalls implements ExecutionInterceptor {
    private static final AtomicLong CALLS = new AtomicLong();

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        CALLS.incrementAndGet();
    }

    /** Calls made so far by clients built with this interceptor. */
    static long count() {
        return CALLS.get();
    }
}
