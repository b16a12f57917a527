package dev.chatops.gateway;

import dev.chatops.shared.CommandRequest;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Asynchronous Lambda invocation ({@code InvocationType=Event}): Lambda queues the request,
 * answers 202 at once, and retries the function on failure before its on-failure destination.
 */
public final class LambdaDispatcher implements Dispatcher {
    private final LambdaClient lambda;

    public LambdaDispatcher(LambdaClient lambda) {
        this.lambda = lambda;
    }

    @Override
    public void dispatch(String functionName, CommandRequest request) {
        InvokeResponse response;
        try {
            response = lambda.invoke(b -> b.functionName(functionName)
                    .invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String(request.toJson())));
        } catch (SdkException e) {
            throw new DispatchException("could not invoke " + functionName, e);
        }
        if (response.statusCode() != 202) {
            throw new DispatchException("invoking " + functionName + " answered " + response.statusCode(), null);
        }
    }
}
