package dev.chatops.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.chatops.shared.Env;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.Template;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every function of template.yaml, instantiated in this JVM from its {@code Handler} with the
 * environment the template gives it, and invoked as Lambda's Java runtime does: stream handlers
 * get the payload bytes, typed handlers get it through Lambda's own event serialisers.
 */
final class LocalFunctions {
    private record Function(Object handler, Duration timeout) {
    }

    private final Map<String, Function> functions = new LinkedHashMap<>();

    LocalFunctions(Template template, LocalAws aws, Map<String, String> envOverrides) {
        Map<String, Map<String, Object>> declared = template.resources("AWS::Serverless::Function");
        for (String id : declared.keySet()) {
            Map<String, String> env = new LinkedHashMap<>(template.functionEnvironment(id, aws.refs()));
            env.putAll(envOverrides);
            Object timeout = declared.get(id).getOrDefault("Timeout", template.globalFunctionProperty("Timeout", 30));
            functions.put(id, new Function(instantiate(template.handlerClass(id), Env.of(env)),
                    Duration.ofSeconds(Long.parseLong(String.valueOf(timeout)))));
        }
    }

    boolean has(String functionId) {
        return functions.containsKey(functionId);
    }

    /** Runs {@code functionId} on {@code payload} and returns its response; a handler's exception is thrown. */
    byte[] invoke(String functionId, byte[] payload) throws Exception {
        Function function = functions.get(functionId);
        if (function == null) {
            throw new IllegalArgumentException("no function " + functionId);
        }
        LocalLambdaContext context = new LocalLambdaContext(functionId, function.timeout());
        Object handler = function.handler();
        if (handler instanceof RequestStreamHandler stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.handleRequest(new ByteArrayInputStream(payload), out, context);
            return out.toByteArray();
        }
        Method method = dev.chatops.testing.LambdaHandlers.handleRequest(handler.getClass());
        Object input = serializer(method.getParameterTypes()[0]).fromJson(new ByteArrayInputStream(payload));
        Object output;
        try {
            output = method.invoke(handler, input, context);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (output != null) {
            serializer(method.getReturnType()).toJson(output, out);
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializer(Class<?> type) {
        return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(type, LocalFunctions.class.getClassLoader());
    }


    private static Object instantiate(String className, Env env) {
        try {
            return Class.forName(className).getConstructor(Env.class).newInstance(env);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot start " + className + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start " + className, e);
        }
    }

    static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
