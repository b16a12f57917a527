package dev.chatops.testing;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A typed Lambda event handed to a stream handler as Lambda hands it: written to JSON by Lambda's
 * own serialiser for its type, and the handler's output read back into the response type by the same
 * serialiser. Tests write events in the readable typed form; the handler sees the bytes Lambda sends.
 */
public final class LambdaEvents {
    private LambdaEvents() {
    }

    /** The JSON Lambda would send for {@code event}. */
    public static byte[] json(Object event) {
        @SuppressWarnings("unchecked")
        PojoSerializer<Object> serializer = (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(
                event.getClass(), LambdaEvents.class.getClassLoader());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer.toJson(event, out);
        return out.toByteArray();
    }

    /** Invokes {@code handler} with {@code event}; its output as {@code responseType}. */
    public static <R> R invoke(RequestStreamHandler handler, Object event, Class<R> responseType,
                               Context context) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(json(event)), out, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return LambdaEventSerializers.serializerFor(responseType, LambdaEvents.class.getClassLoader())
                .fromJson(new ByteArrayInputStream(out.toByteArray()));
    }
}
