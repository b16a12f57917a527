package dev.chatops.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.reflect.Method;

/** How Lambda's Java runtime finds a typed handler's method, for the local runner and the benchmark. */
public final class LambdaHandlers {
    private LambdaHandlers() {
    }

    /** The {@code handleRequest(input, context)} of a {@link RequestHandler} class (not the bridge method). */
    public static Method handleRequest(Class<?> type) {
        if (!RequestHandler.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type + " is not a Lambda handler");
        }
        for (Method method : type.getMethods()) {
            if (method.getName().equals("handleRequest") && method.getParameterCount() == 2 && !method.isBridge()) {
                return method;
            }
        }
        throw new IllegalArgumentException(type + " has no handleRequest");
    }
}
